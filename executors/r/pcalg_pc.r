# pcalg's PC (catalogue: pcalg / pc) as an MPCSL executor. Image only: needs pcalg and infotheo
# (deploy/images/executor-r.Dockerfile).
#
#   Rscript pcalg_pc.r -j JOB -d DATASET --api_host HOST --send_sepsets 0|1 \
#       --alpha 0.01 --independence_test gaussCI|disCI|binCI [--cores 1] [--subset_size -1] ...

local({
  file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
  source(file.path(dirname(normalizePath(file)), "mpci_utils.r"))
})
suppressPackageStartupMessages(library(pcalg))

opts <- parse_options(list(
  make_option(c("-a", "--alpha"), type = "double"),
  make_option(c("-t", "--independence_test"), type = "character"),
  make_option("--discrete_limit", type = "integer", default = 11L),
  make_option(c("-c", "--cores"), type = "integer", default = 1L),
  make_option(c("-s", "--subset_size"), type = "integer", default = -1L),
  make_option("--skeleton_method", type = "character", default = "stable.fast")
), required = c("alpha", "independence_test"))
check_choice(opts, "skeleton_method", c("stable.fast", "stable", "original"))
# The catalogue also lists MPCSL's CMI and KCIT tests; their packages are not in this image.
check_choice(opts, "independence_test", c("gaussCI", "disCI", "binCI"))

dataset <- load_dataset(opts)
frame <- dataset$data
labels <- as.character(dataset$node_ids)
started <- Sys.time()
discrete <- opts$independence_test %in% c("disCI", "binCI")
if (opts$independence_test == "gaussCI") {
  test <- gaussCItest
  stat <- list(C = cor(frame), n = nrow(frame))
} else {
  codes <- as.matrix(as_codes(frame))
  test <- if (opts$independence_test == "disCI") disCItest else binCItest
  stat <- list(dm = codes, adaptDF = FALSE)
  if (opts$independence_test == "disCI") stat$nlev <- apply(codes, 2, function(x) length(unique(x)))
}
fit <- pc(stat, indepTest = test, alpha = opts$alpha, labels = labels, skel.method = opts$skeleton_method,
          m.max = unlimited(opts$subset_size), numCores = opts$cores, verbose = opts$verbose > 0)
execution_time <- seconds_since(started)
cat(sprintf("PC done in %.3f s\n", execution_time))

edges <- adjacency_edges(as(fit@graph, "matrix"), dataset$node_ids)
weight_data <- if (discrete) as_codes(frame) else frame
edges$weight <- mutual_information_weights(weight_data, edges, dataset$node_ids, discrete)

# One entry per ordered pair with a non-empty separating set (statistic 0, as MPCSL sends).
sepsets <- list()
for (x in seq_along(labels)) {
  for (y in seq_along(labels)) {
    members <- fit@sepset[[x]][[y]]
    if (x != y && length(members) > 0) {
      sepsets[[length(sepsets) + 1]] <- list(from_node = dataset$node_ids[x], to_node = dataset$node_ids[y],
                                             statistic = 0, level = length(members), nodes = labels[members])
    }
  }
}
upload_result(opts, edges, sepsets, meta = list(executor = "pcalg", algorithm = "pc"),
              execution_time = execution_time, loading_time = dataset$loading_time)
