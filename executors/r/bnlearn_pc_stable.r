# bnlearn's pc.stable (catalogue: bnlearn / pc.stable) as an MPCSL executor. Image only: needs
# bnlearn (deploy/images/executor-r.Dockerfile).
#
#   Rscript bnlearn_pc_stable.r -j JOB -d DATASET --api_host HOST --send_sepsets 0|1 \
#       --alpha 0.01 --independence_test x2|mi|cor|zf|... --cores 1 [--subset_size -1] ...

local({
  file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
  source(file.path(dirname(normalizePath(file)), "mpci_utils.r"))
})
suppressPackageStartupMessages(library(bnlearn))

opts <- parse_options(list(
  make_option(c("-a", "--alpha"), type = "double"),
  make_option(c("-t", "--independence_test"), type = "character"),
  make_option(c("-s", "--subset_size"), type = "integer", default = -1L),
  make_option("--discrete_limit", type = "integer", default = 4L),
  make_option(c("-c", "--cores"), type = "integer", default = 1L)
), required = c("alpha", "independence_test"))
check_choice(opts, "independence_test", c(bnlearn_tests$discrete, bnlearn_tests$gaussian, "mi-cg"))

dataset <- load_dataset(opts)
test <- opts$independence_test
frame <- dataset$data
if (test == "discretized-x2") {
  # Continuous data cut into intervals, then Pearson's chi-square.
  frame <- discretize(as.data.frame(lapply(frame, as.numeric)), method = "quantile",
                      breaks = opts$discrete_limit)
  test <- "x2"
}
frame <- as_bnlearn_data(frame, bnlearn_test_kind(test), opts$discrete_limit)

started <- Sys.time()
cluster <- if (opts$cores > 1) parallel::makeCluster(opts$cores) else NULL
fit <- pc.stable(frame, cluster = cluster, test = test, alpha = opts$alpha,
                 max.sx = unlimited(opts$subset_size, NULL), debug = opts$verbose > 0)
if (!is.null(cluster)) parallel::stopCluster(cluster)
execution_time <- seconds_since(started)

edges <- arc_edges(fit, frame, dataset$node_ids)
cat(sprintf("pc.stable done in %.3f s: %d arcs\n", execution_time, nrow(edges)))
upload_result(opts, edges, meta = list(executor = "bnlearn", algorithm = "pc.stable", test_used = test),
              execution_time = execution_time, loading_time = dataset$loading_time)
