import { EXPORT_FORMATS, exportFilename, resultExportUrl } from '../../api/export';
import { DownloadLink } from '../../components/DownloadLink';

const DESCRIPTION: Record<string, string> = {
  GEXF: 'Gephi',
  GraphML: 'yEd, NetworkX, igraph',
  GML: 'node labels are node ids',
  'node_link_data.json': 'NetworkX JSON',
};

/** Download the result graph in every format the server writes. */
export function ExportMenu({ resultId }: { resultId: number }) {
  return (
    <details className="menu">
      <summary className="button small">Export ▾</summary>
      <div className="menu-items" role="menu">
        {EXPORT_FORMATS.map((f) => (
          <DownloadLink key={f} role="menuitem" href={resultExportUrl(resultId, f)} filename={exportFilename(`result_${resultId}`, f)}>
            <strong>{f}</strong> <span className="faint">{DESCRIPTION[f]}</span>
          </DownloadLink>
        ))}
      </div>
    </details>
  );
}
