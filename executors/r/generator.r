# MPCSL's dataset generator PCALG (image only: needs pcalg and igraph; deploy/images/
# generator-r.Dockerfile). Draws a random DAG with pcalg::randomDAG and Gaussian linear-SEM
# samples with pcalg::rmvDAG, then uploads the samples as CSV and the DAG as GML
# (executor contract section 6). Every option is required.
#
#   Rscript generator.r --apiHost HOST --uploadEndpoint http://HOST/api/job/<id>/dataset_generation \
#       --nNodes 10 --nSamples 10000 --edgeProbability 0.4 --edgeValueLowerBound 0 --edgeValueUpperBound 0.5

local({
  file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
  source(file.path(dirname(normalizePath(file)), "mpci_utils.r"))  # optparse, httr, red errors, redact()
})
suppressPackageStartupMessages({
  library(pcalg)
  library(igraph)
})

parser <- OptionParser(option_list = list(
  make_option("--apiHost", type = "character"),
  make_option("--uploadEndpoint", type = "character"),
  make_option("--nNodes", type = "integer"),
  make_option("--nSamples", type = "integer"),
  make_option("--edgeProbability", type = "double"),
  make_option("--edgeValueLowerBound", type = "double"),
  make_option("--edgeValueUpperBound", type = "double")
))
opts <- parse_args(parser)
for (name in c("apiHost", "uploadEndpoint", "nNodes", "nSamples", "edgeProbability",
               "edgeValueLowerBound", "edgeValueUpperBound")) {
  if (is.null(opts[[name]])) stop(sprintf("the option --%s is required", name), call. = FALSE)
}
if (opts$nNodes < 1 || opts$nSamples < 1) stop("--nNodes and --nSamples must be at least 1", call. = FALSE)
if (opts$edgeProbability < 0 || opts$edgeProbability > 1) {
  stop("--edgeProbability must be in [0, 1]", call. = FALSE)
}
if (opts$edgeValueLowerBound > opts$edgeValueUpperBound) {
  stop("--edgeValueLowerBound must not exceed --edgeValueUpperBound", call. = FALSE)
}

names <- paste0("V", seq_len(opts$nNodes))
dag <- randomDAG(opts$nNodes, prob = opts$edgeProbability, lB = opts$edgeValueLowerBound,
                 uB = opts$edgeValueUpperBound, V = names)
samples <- rmvDAG(opts$nSamples, dag)
colnames(samples) <- names
cat(sprintf("generated %d samples of %d variables\n", nrow(samples), ncol(samples)))

csv_file <- tempfile(fileext = ".csv")
gml_file <- tempfile(fileext = ".gml")
# No row-name column: its empty header would become a node (contract section 6.2).
write.csv(samples, csv_file, row.names = FALSE)
truth <- igraph.from.graphNEL(dag)
V(truth)$name <- names
write_graph(truth, gml_file, format = "gml")

answer <- PUT(opts$uploadEndpoint, body = list(file = upload_file(csv_file, "text/csv")),
              encode = "multipart")
if (http_error(answer)) {
  stop(sprintf("uploading the samples to %s answered %d", redact(opts$uploadEndpoint), status_code(answer)),
       call. = FALSE)
}
dataset_id <- content(answer, as = "parsed")$id
cat(sprintf("uploaded the samples as dataset %s\n", dataset_id))
truth_url <- sprintf("http://%s/api/dataset/%s/ground-truth", opts$apiHost, dataset_id)
answer <- POST(truth_url, body = list(graph_file = upload_file(gml_file)), encode = "multipart")
if (http_error(answer)) {
  stop(sprintf("uploading the ground truth answered %d", status_code(answer)), call. = FALSE)
}
cat("uploaded the ground truth\n")
