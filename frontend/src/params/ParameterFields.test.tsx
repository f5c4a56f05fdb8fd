// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ParameterFields } from './ParameterFields';
import { parseValidParameters } from './schema';
import { useParameterForm } from './useParameterForm';

const fields = parseValidParameters({
  alpha: { type: 'float', required: true, minimum: 0.0, maximum: 1.0 },
  independence_test: { type: 'enum', required: true, values: ['gaussCI', 'binCI'] },
  cores: { type: 'int', minimum: 1 },
  verbose: { type: 'int', minimum: 0, maximum: 1, default: 0 },
  undirected: { type: 'bool' },
});

let submitted: { ok: boolean; parameters: Record<string, unknown> } | null = null;

function Harness() {
  const form = useParameterForm(fields);
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submitted = { ok: form.check(), parameters: form.parameters() };
      }}
    >
      <ParameterFields fields={fields} form={form} />
      <button type="submit">go</button>
    </form>
  );
}

describe('ParameterFields', () => {
  afterEach(() => {
    cleanup();
    submitted = null;
  });

  it('renders one control per parameter with bounds, choices and defaults', () => {
    render(<Harness />);
    const alpha = screen.getByLabelText(/alpha/) as HTMLInputElement;
    expect(alpha.type).toBe('number');
    expect(alpha.min).toBe('0');
    expect(alpha.max).toBe('1');
    expect(alpha.required).toBe(true);
    const test = screen.getByLabelText(/independence_test/) as HTMLSelectElement;
    expect([...test.options].map((o) => o.value)).toEqual(['', 'gaussCI', 'binCI']);
    expect((screen.getByLabelText(/verbose/) as HTMLInputElement).value).toBe('0');
    expect((screen.getByLabelText(/cores/) as HTMLInputElement).step).toBe('1');
    const bool = screen.getByLabelText(/undirected/) as HTMLSelectElement;
    expect([...bool.options].map((o) => o.textContent)).toEqual(['(algorithm default)', 'yes', 'no']);
  });

  it('shows a bound error once the field is left, and clears it when fixed', () => {
    render(<Harness />);
    const alpha = screen.getByLabelText(/alpha/);
    fireEvent.change(alpha, { target: { value: '1.5' } });
    expect(screen.queryByText('Must be between 0.0 and 1.0.')).toBeNull();
    fireEvent.blur(alpha);
    expect(screen.getByText('Must be between 0.0 and 1.0.')).toBeTruthy();
    fireEvent.change(alpha, { target: { value: '0.05' } });
    expect(screen.queryByText('Must be between 0.0 and 1.0.')).toBeNull();
  });

  it('flags every missing required field on submit and sends typed values when valid', () => {
    render(<Harness />);
    fireEvent.click(screen.getByText('go'));
    expect(submitted!.ok).toBe(false);
    expect(screen.getAllByText('Missing data for required field.')).toHaveLength(2);
    fireEvent.change(screen.getByLabelText(/alpha/), { target: { value: '0.01' } });
    fireEvent.change(screen.getByLabelText(/independence_test/), { target: { value: 'binCI' } });
    fireEvent.change(screen.getByLabelText(/undirected/), { target: { value: 'true' } });
    fireEvent.click(screen.getByText('go'));
    expect(submitted).toEqual({ ok: true, parameters: { alpha: 0.01, independence_test: 'binCI', verbose: 0, undirected: true } });
  });
});
