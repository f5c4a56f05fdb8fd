import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Link, Route, Routes } from 'react-router';
import { ApiError } from './api/errors';
import { fetchAuthConfig } from './auth/authApi';
import { AuthProvider } from './auth/AuthProvider';
import { TOKENS_PATH } from './auth/paths';
import { TokensScreen } from './auth/TokensScreen';
import { ConfirmProvider } from './components/confirm';
import { Layout } from './components/Layout';
import { ToastProvider } from './components/toast';
import { Empty, Loading } from './components/ui';
import { LiveProvider } from './live/LiveProvider';
import { datasetsQuery } from './api/queries';
import { DatasetScreen } from './screens/datasets/DatasetScreen';
import { DatasetsScreen } from './screens/datasets/DatasetsScreen';
import { ExperimentScreen } from './screens/experiments/ExperimentScreen';
import { ExperimentsScreen } from './screens/experiments/ExperimentsScreen';
import { GenerateScreen } from './screens/generate/GenerateScreen';
import { JobScreen } from './screens/jobs/JobScreen';
import { JobsScreen } from './screens/jobs/JobsScreen';

// The graph screens carry cytoscape: loaded when first opened.
const ResultScreen = lazy(() => import('./screens/results/ResultScreen'));
const CompareScreen = lazy(() => import('./screens/results/CompareScreen'));
// The studies (grid editor, SVG charts) load when first opened too.
const StudiesScreen = lazy(() => import('./screens/studies/StudiesScreen'));
const StudyScreen = lazy(() => import('./screens/studies/StudyScreen'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Live events keep data fresh; refetch on focus only as a fallback.
      staleTime: 10_000,
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

// The auth mode decides everything else: ask for it before React has even mounted. The dataset
// list is the first screen: with auth off, ask for it at once too (with auth on, the login
// comes first).
const authConfig = fetchAuthConfig();
authConfig.catch(() => {}); // AuthProvider reports a failure
if (window.location.pathname === '/') {
  authConfig
    .then((config) => {
      if (config.mode === 'off') void queryClient.prefetchQuery(datasetsQuery);
    })
    .catch(() => {});
}

function NotFound() {
  return (
    <Empty title="Nothing here" actions={<Link to="/">Go to the datasets</Link>}>
      This address does not name a Causeway screen.
    </Empty>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <BrowserRouter>
          <AuthProvider initialConfig={authConfig}>
            <ConfirmProvider>
              <LiveProvider>
                <Suspense fallback={<Loading />}>
                  <Routes>
                    <Route element={<Layout />}>
                      <Route index element={<DatasetsScreen />} />
                      <Route path="datasets/:datasetId" element={<DatasetScreen />} />
                      <Route path="experiments" element={<ExperimentsScreen />} />
                      <Route path="experiments/:experimentId" element={<ExperimentScreen />} />
                      <Route path="studies" element={<StudiesScreen />} />
                      <Route path="studies/:studyId" element={<StudyScreen />} />
                      <Route path="jobs" element={<JobsScreen />} />
                      <Route path="jobs/:jobId" element={<JobScreen />} />
                      <Route path="results/:resultId" element={<ResultScreen />} />
                      <Route path="results/:resultId/compare" element={<CompareScreen />} />
                      <Route path="generate" element={<GenerateScreen />} />
                      <Route path={TOKENS_PATH.slice(1)} element={<TokensScreen />} />
                      <Route path="*" element={<NotFound />} />
                    </Route>
                  </Routes>
                </Suspense>
              </LiveProvider>
            </ConfirmProvider>
          </AuthProvider>
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>
  );
}
