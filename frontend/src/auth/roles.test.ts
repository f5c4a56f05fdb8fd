import { describe, expect, it } from 'vitest';
import { allows, forbiddenMessage, needsRoleText, roleNeededAfter403 } from './roles';

describe('roles', () => {
  it('orders viewer < editor < admin', () => {
    expect(allows('viewer', 'viewer')).toBe(true);
    expect(allows('viewer', 'editor')).toBe(false);
    expect(allows('editor', 'editor')).toBe(true);
    expect(allows('editor', 'admin')).toBe(false);
    expect(allows('admin', 'editor')).toBe(true);
  });

  it('says which role a control needs', () => {
    expect(needsRoleText('editor', 'viewer')).toBe('Needs the editor role; you are a viewer.');
    expect(needsRoleText('admin', 'editor')).toBe('Needs the admin role; you are an editor.');
  });

  it('tells the role a refused request needed', () => {
    expect(roleNeededAfter403('DELETE', '/api/dataset/3', 'viewer')).toBe('editor');
    expect(roleNeededAfter403('POST', '/api/algorithms', 'viewer')).toBe('admin');
    expect(roleNeededAfter403('DELETE', '/api/token/4', 'viewer')).toBe('admin');
    expect(roleNeededAfter403('POST', '/api/datasources', 'viewer')).toBe('admin');
    // an editor refused: deleting what others created, or an admin-only write
    expect(roleNeededAfter403('DELETE', '/api/experiment/9', 'editor')).toBe('admin');
    expect(roleNeededAfter403('DELETE', '/api/experiment/9', 'admin')).toBeNull();
  });

  it('completes the server’s 403 sentence with the role, once', () => {
    expect(forbiddenMessage('Forbidden', 'editor', 'viewer')).toBe('Forbidden. Needs the editor role; you are a viewer.');
    expect(forbiddenMessage('This needs the admin role.', 'admin', 'editor')).toBe('This needs the admin role.');
    expect(forbiddenMessage(null, 'editor', 'viewer')).toBe('Your role does not allow this. Needs the editor role; you are a viewer.');
    expect(forbiddenMessage('Not yours', null, 'admin')).toBe('Not yours');
  });
});
