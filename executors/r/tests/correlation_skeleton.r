# Test fixture, not a catalogue algorithm: learns "an edge wherever |correlation| > threshold"
# so that tests can run mpci_utils.r's contract (options, download, sampling, upload, failure
# reports) end to end with plain R, where pcalg and bnlearn cannot be installed.
#
#   Rscript tests/correlation_skeleton.r -j JOB -d DATASET --api_host HOST --send_sepsets 0|1 \
#       --threshold 0.5

local({
  file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
  source(file.path(dirname(normalizePath(file)), "..", "mpci_utils.r"))
})

opts <- parse_options(list(make_option("--threshold", type = "double")), required = "threshold")
dataset <- load_dataset(opts)
started <- Sys.time()
strength <- abs(cor(dataset$data))
diag(strength) <- 0
edges <- adjacency_edges(strength > opts$threshold, dataset$node_ids)
edges$weight <- round(strength[cbind(match(edges$from_node, dataset$node_ids),
                                     match(edges$to_node, dataset$node_ids))], 4)
# Every non-adjacent pair is "separated" by all other variables, in both orders.
sepsets <- list()
p <- length(dataset$node_ids)
for (x in seq_len(p)) {
  for (y in seq_len(p)) {
    others <- setdiff(seq_len(p), c(x, y))
    if (x != y && strength[x, y] <= opts$threshold && length(others) > 0) {
      sepsets[[length(sepsets) + 1]] <- list(from_node = dataset$node_ids[x], to_node = dataset$node_ids[y],
                                             statistic = 0, level = length(others),
                                             nodes = as.character(dataset$node_ids[others]))
    }
  }
}
upload_result(opts, edges, sepsets, meta = list(executor = "test fixture"),
              execution_time = seconds_since(started), loading_time = dataset$loading_time)
