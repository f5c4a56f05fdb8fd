// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { BrowserRouter, Route, Routes, useParams } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Benchmark, Study } from '../../api/types';
import { AuthProvider } from '../../auth/AuthProvider';
import { credentials } from '../../auth/credentials';
import { fakeServer, type Routes as ServerRoutes } from '../../auth/fakeServer';
import { ConfirmProvider } from '../../components/confirm';
import { ToastProvider } from '../../components/toast';
import { row } from './fixtures';
import { StudiesScreen } from './StudiesScreen';
import { StudyScreen } from './StudyScreen';

// The first render loads the screen's modules: on a busy machine that takes longer than 1 s.
configure({ asyncUtilTimeout: 5000 });

const PC: [number, string] = [1, 'causeway · pc'];
const PCALG: [number, string] = [3, 'pcalg · pc'];
const progress = { waiting: 0, running: 0, done: 3, error: 0, cancelled: 0, total: 3 };

const algorithms = [
  {
    id: 1,
    package: 'causeway',
    function: 'pc',
    docker_image: 'causeway_execution_pc',
    local_command: ['causeway-pc'],
    docker_parameters: {},
    valid_parameters: {
      alpha: { type: 'float', required: true, minimum: 0.0, maximum: 1.0, default: 0.05 },
      independence_test: { type: 'enum', values: ['gaussCI', 'disCI'], default: 'disCI' },
    },
  },
  { id: 3, package: 'pcalg', function: 'pc', docker_image: 'mpci_execution_r', local_command: null, docker_parameters: {}, valid_parameters: {} },
];

const study = (over: Partial<Study> = {}): Study => ({
  id: 7,
  name: 'Earthquake alpha sweep',
  description: null,
  created_at: '2026-12-04T10:00:00Z',
  created_by: null,
  dataset_ids: [1],
  experiment_count: 3,
  progress,
  state: 'finished',
  algorithms: [{ algorithm_id: 1, parameters: { alpha: [0.01, 0.1, 0.2] }, runs: 1 }],
  experiments: [],
  ...over,
});

const benchmark = (over: Partial<Benchmark> = {}): Benchmark => ({
  study_id: 7,
  ground_truth: true,
  swept_parameters: ['alpha'],
  rows: [row(11, PC, 0.01), row(12, PC, 0.1), row(13, PC, 0.2)],
  ...over,
});

function setup(extra: ServerRoutes = {}, path = '/studies/7') {
  const server = fakeServer({
    'GET /api/auth/config': () => [200, { mode: 'off', oidc: null }],
    'GET /api/launcher': () => [200, { launcher: 'local' }],
    'GET /api/algorithms': () => [200, algorithms],
    'GET /api/datasets': () => [200, [{ id: 1, name: 'Earthquake', data_source: 'postgres', time_created: '2026-12-01T00:00:00Z', content_hash: 'x' }]],
    'GET /api/studies': () => [200, [study()]],
    'GET /api/study/7': () => [200, study()],
    'GET /api/study/7/benchmark': () => [200, benchmark()],
    'GET /api/experiment/12/jobs': () => [200, [{ id: 4, status: 'done', result: { id: 40 } }, { id: 5, status: 'error', result: null }]],
    ...extra,
  });
  window.history.pushState({}, '', path);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  function Result() {
    return <p>result page {useParams().resultId}</p>;
  }
  render(
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <BrowserRouter>
          <AuthProvider>
            <ConfirmProvider>
              <Routes>
                <Route path="/studies" element={<StudiesScreen />} />
                <Route path="/studies/:studyId" element={<StudyScreen />} />
                <Route path="/results/:resultId" element={<Result />} />
              </Routes>
            </ConfirmProvider>
          </AuthProvider>
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>,
  );
  return server;
}

beforeEach(() => {
  localStorage.clear();
  credentials.set(null, 'admin');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('study page', () => {
  it('draws one ROC point per experiment along alpha, with a tooltip naming it, and opens its latest result', async () => {
    setup();
    const roc = await screen.findByTestId('chart-roc');
    const points = roc.querySelectorAll('circle.chart-point');
    expect([...points].map((p) => p.getAttribute('data-experiment-id'))).toEqual(['11', '12', '13']);
    expect([...points].map((p) => Number(p.getAttribute('data-x')))).toEqual([0.005, 0.05, 0.1]);
    expect(roc.querySelector('path.chart-line')?.getAttribute('d')).toMatch(/^M[\d.]+ [\d.]+ L[\d.]+ [\d.]+ L[\d.]+ [\d.]+$/);
    expect(within(roc).getByText('causeway · pc')).toBeTruthy(); // legend

    fireEvent.mouseEnter(points[1]);
    const tip = within(roc).getByRole('tooltip');
    expect(tip.textContent).toContain('causeway · pc alpha=0.1');
    expect(tip.textContent).toContain('TPR 0.6 · FPR 0.05');

    // The run-time chart has a log y axis; alpha 0.01, 0.1, 0.2 is not log-spaced: linear x.
    const time = screen.getByTestId('chart-time');
    expect(time.textContent).toContain('Run time (s) (log)');
    expect([...time.querySelectorAll('text[data-tick="x"]')].map((t) => t.textContent)).toEqual(['0.05', '0.1', '0.15', '0.2']);

    fireEvent.click(points[1]);
    await screen.findByText('result page 40');
  });

  it('switches the rate charts to the directed metrics', async () => {
    setup();
    const roc = await screen.findByTestId('chart-roc');
    fireEvent.click(screen.getByRole('radio', { name: 'directed' }));
    await waitFor(() => expect(roc.querySelector('figcaption')?.textContent).toBe('ROC points (directed)'));
    expect(Number(roc.querySelectorAll('circle.chart-point')[1].getAttribute('data-y'))).toBeCloseTo(0.3);
  });

  it('zooms the ROC and PR charts to their points, says so, and draws the unit square on demand', async () => {
    setup();
    const roc = await screen.findByTestId('chart-roc');
    const ticks = (axis: 'x' | 'y') => [...roc.querySelectorAll(`text[data-tick="${axis}"]`)].map((t) => t.textContent);
    // FPR 0.005–0.1 from 0, TPR 0.51–0.7: the chance line y = x is below the view, not drawn.
    expect(roc.textContent).toContain('FPR (zoomed: 0–0.15)');
    expect(roc.textContent).toContain('TPR (zoomed: 0.4–0.8)');
    expect(ticks('x')).toEqual(['0', '0.05', '0.1', '0.15']);
    expect(ticks('y')).toEqual(['0.4', '0.5', '0.6', '0.7', '0.8']);
    expect(roc.querySelector('.chart-diagonal')).toBeNull();
    // The points spread over the plot: the first near the left, the last near the right.
    const cx = [...roc.querySelectorAll('circle.chart-point')].map((p) => Number(p.getAttribute('cx')));
    expect(cx[0]).toBeLessThan(100);
    expect(cx[2]).toBeGreaterThan(300);
    const pr = screen.getByTestId('chart-pr');
    expect(pr.textContent).toContain('Recall (zoomed: 0.4–0.8)');
    // Precision is 0.9 everywhere: no spread to zoom into, the full range.
    expect(pr.textContent).toContain('Precision against Recall (zoomed: 0.4–0.8)');
    expect([...pr.querySelectorAll('text[data-tick="y"]')].map((t) => t.textContent)).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);

    fireEvent.click(screen.getByLabelText('Full range 0–1'));
    await waitFor(() => expect(ticks('x')).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']));
    expect(ticks('y')).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    expect(roc.textContent).not.toContain('zoomed');
    const diagonal = roc.querySelector('.chart-diagonal');
    expect([diagonal?.getAttribute('data-from'), diagonal?.getAttribute('data-to')]).toEqual(['0', '1']);
    expect(pr.textContent).not.toContain('zoomed');
  });

  it('draws a log-spaced alpha grid on a log x axis', async () => {
    const alphas = [0.0001, 0.001, 0.01, 0.05, 0.2];
    setup({ 'GET /api/study/7/benchmark': () => [200, benchmark({ rows: alphas.map((a, i) => row(11 + i, PC, a)) })] });
    const shd = await screen.findByTestId('chart-shd');
    expect(shd.textContent).toContain('alpha (log)');
    expect([...shd.querySelectorAll('text[data-tick="x"]')].map((t) => t.textContent)).toEqual(['0.0001', '0.001', '0.01', '0.1']);
    // SHD 8–10 padded, from the data, whole numbers only.
    expect([...shd.querySelectorAll('text[data-tick="y"]')].map((t) => t.textContent)).toEqual(['7', '8', '9', '10', '11']);
  });

  it('shows the live progress and starts the study', async () => {
    const server = setup({
      'GET /api/study/7': () => [200, study({ state: 'new', progress: { ...progress, done: 0, total: 0 } })],
      'POST /api/study/7/start': () => [200, { study_id: 7, jobs: [1, 2, 3] }],
      'GET /api/study/7/benchmark': () => [200, benchmark({ rows: benchmark().rows.map((r) => ({ ...r, results: 0 })) })],
    });
    await screen.findByText('No results yet');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('no jobs yet');
    const start = screen.getByRole('button', { name: 'Start' }) as HTMLButtonElement;
    await waitFor(() => expect(start.disabled).toBe(false));
    fireEvent.click(start);
    await waitFor(() => expect(server.to('/api/study/7/start')).toHaveLength(1));
  });

  it('disables Start when an algorithm runs on Kubernetes only, saying where it runs', async () => {
    setup({
      'GET /api/study/7': () => [200, study({ algorithms: [{ algorithm_id: 3, parameters: {}, runs: 1 }] })],
      'GET /api/study/7/benchmark': () => [200, benchmark({ rows: [row(11, PCALG, 0.01)] })],
    });
    await screen.findByTestId('chart-roc');
    const start = screen.getByRole('button', { name: 'Start again' }) as HTMLButtonElement;
    await waitFor(() => expect(start.disabled).toBe(true));
    expect(start.title).toMatch(/^Runs on Kubernetes only \(image mpci_execution_r\)/);
    expect(screen.getByTestId('runs-elsewhere').textContent).toBe('runs on Kubernetes only');
  });

  it('says so when there is no ground truth instead of drawing empty charts', async () => {
    setup({ 'GET /api/study/7/benchmark': () => [200, benchmark({ ground_truth: false })] });
    await screen.findByTestId('no-ground-truth');
    expect(screen.queryByTestId('chart-roc')).toBeNull();
    expect(screen.queryByTestId('chart-shd')).toBeNull();
    expect(screen.getByTestId('chart-time')).toBeTruthy();
  });

  it('sorts the table by a column', async () => {
    setup();
    const table = await screen.findByTestId('benchmark-table');
    const order = () => within(table).getAllByRole('row').slice(1).map((r) => r.getAttribute('data-experiment-id'));
    expect(order()).toEqual(['11', '12', '13']);
    fireEvent.click(within(table).getByRole('button', { name: 'SHD' }));
    expect(order()).toEqual(['13', '12', '11']);
    fireEvent.click(within(table).getByRole('button', { name: /SHD/ }));
    expect(order()).toEqual(['11', '12', '13']);
  });
});

describe('new study dialog', () => {
  it('previews the experiments and jobs of the grid, sends it, and shows the server’s 400', async () => {
    const server = setup(
      {
        'POST /api/studies': () => [400, { message: 'algorithms[0] point {"alpha": 0.001}: alpha: Must be above 0.01.' }],
      },
      '/studies',
    );
    fireEvent.click(await screen.findByRole('button', { name: 'New study' }));
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'sweep' } });
    fireEvent.click(await screen.findByLabelText('Earthquake'));
    await screen.findByLabelText('alpha: grid');
    fireEvent.change(screen.getByLabelText('alpha: grid'), { target: { value: 'range' } });
    fireEvent.change(screen.getByLabelText('alpha: from'), { target: { value: '0.001' } });
    fireEvent.change(screen.getByLabelText('alpha: to'), { target: { value: '0.1' } });
    fireEvent.change(screen.getByLabelText('alpha: steps'), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText('alpha: scale'), { target: { value: 'log' } });
    expect(screen.getByTestId('grid-0-alpha-values').textContent).toBe('0.001, 0.01, 0.1 (3)');
    fireEvent.change(screen.getByLabelText('independence_test: grid'), { target: { value: 'list' } });
    fireEvent.click(screen.getByLabelText('gaussCI'));
    fireEvent.change(screen.getByLabelText(/^Runs per experiment/), { target: { value: '2' } });
    expect(screen.getByTestId('study-preview').textContent).toBe('6 experiments, 12 jobs');

    fireEvent.click(screen.getByRole('button', { name: 'Create study' }));
    await screen.findByText('algorithms[0] point {"alpha": 0.001}: alpha: Must be above 0.01.');
    expect(server.to('/api/studies').find((r) => r.method === 'POST')?.body).toEqual({
      name: 'sweep',
      description: null,
      dataset_ids: [1],
      algorithms: [
        {
          algorithm_id: 1,
          parameters: { alpha: { from: 0.001, to: 0.1, steps: 3, scale: 'log' }, independence_test: ['disCI', 'gaussCI'] },
          runs: 2,
        },
      ],
    });
  });

  it('marks algorithms that run on Kubernetes only in the picker', async () => {
    setup({}, '/studies');
    fireEvent.click(await screen.findByRole('button', { name: 'New study' }));
    await waitFor(() => expect(screen.getByRole('option', { name: 'pcalg · pc (runs on Kubernetes only)' })).toBeTruthy());
  });
});
