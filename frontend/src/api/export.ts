import { apiUrl } from './client';

/** The graph formats the server writes (api.md §6.7); `format` is a free string in the document. */
export const EXPORT_FORMATS = ['GEXF', 'GraphML', 'GML', 'node_link_data.json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const resultExportUrl = (resultId: number, format: ExportFormat) =>
  apiUrl('/result/{result_id}/export', { result_id: resultId }, { format });

export const groundTruthExportUrl = (datasetId: number, format: ExportFormat) =>
  apiUrl('/dataset/{dataset_id}/ground-truth', { dataset_id: datasetId }, { format });

const EXTENSION: Record<ExportFormat, string> = { GEXF: 'gexf', GraphML: 'graphml', GML: 'gml', 'node_link_data.json': 'json' };

/** The file name of an export when the server gives none (`result_7.gml`). */
export const exportFilename = (stem: string, format: ExportFormat) => `${stem}.${EXTENSION[format]}`;
