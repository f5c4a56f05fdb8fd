# The MPCSL executor contract for R scripts (docs/executor-r.md), shared by every script here.
#
# An algorithm script parses its options with parse_options(), loads the data with
# load_dataset(), learns, and calls upload_result(). A failed HTTP call reports the job with
# PUT /api/job/<id> (no body) and ends the script with status 1 (contract section 4); an
# uncaught error prints in red and ends it with status 1 too. Everything printed is the job log.

suppressPackageStartupMessages({
  library(optparse)
  library(httr)
  library(jsonlite)
})

# Uncaught errors in red (instead of R's plain print), as MPCSL's scripts print them; the script
# then exits with status 1.
options(show.error.messages = FALSE, error = function() {
  message("\033[31m", geterrmessage(), "\033[0m")
  quit(save = "no", status = 1)
})

# The options of every R executor: the four fixed ones (contract section 1), sampling and
# verbosity.
contract_options <- function() {
  list(
    make_option(c("-j", "--job_id"), type = "integer"),
    make_option(c("-d", "--dataset_id"), type = "integer"),
    make_option("--api_host", type = "character"),
    make_option("--send_sepsets", type = "integer", default = 0L),
    make_option("--sampling_factor", type = "double", default = 1.0),
    make_option("--sampling_method", type = "character", default = "random"),
    make_option(c("-v", "--verbose"), type = "integer", default = 0L)
  )
}

# Parses the command line: `extra` are the script's own make_option()s. Stops with a message
# naming the option when a required one is missing or a value is out of range.
parse_options <- function(extra = list(), args = commandArgs(trailingOnly = TRUE), required = character()) {
  parser <- OptionParser(option_list = c(contract_options(), extra))
  opts <- parse_args(parser, args = args)
  for (name in c("job_id", "dataset_id", "api_host", required)) {
    if (is.null(opts[[name]]) || (length(opts[[name]]) == 1 && is.na(opts[[name]]))) {
      stop(sprintf("the option --%s is required", name), call. = FALSE)
    }
  }
  check_choice(opts, "sampling_method", c("random", "top"))
  if (opts$sampling_factor < 0 || opts$sampling_factor > 1) {
    stop(sprintf("--sampling_factor must be between 0 and 1, got %s", opts$sampling_factor), call. = FALSE)
  }
  opts
}

check_choice <- function(opts, name, choices) {
  value <- opts[[name]]
  if (!is.null(value) && !(value %in% choices)) {
    stop(sprintf("--%s must be one of %s, got '%s'", name, paste(choices, collapse = ", "), value),
         call. = FALSE)
  }
  invisible(value)
}

# -1 means "no limit" for subset_size, maxiter and maxp.
unlimited <- function(value, none = Inf) {
  if (is.null(value) || is.na(value) || value < 0) none else value
}

# Text without upload tokens: `/t/<token>` -> `/t/***`.
redact <- function(text) gsub("/t/[^/[:space:]'\"]+", "/t/***", text)

api_url <- function(opts, path) paste0("http://", sub("/+$", "", opts$api_host), path)

# Seconds between download attempts grow by this much (CAUSEWAY_RETRY_PAUSE overrides it).
retry_pause <- function() as.numeric(Sys.getenv("CAUSEWAY_RETRY_PAUSE", "1"))

# Reports the job as failed (PUT /api/job/<id>) and ends the script with status 1.
fail_job <- function(opts, text) {
  message("\033[31m", redact(text), "\033[0m")
  url <- api_url(opts, sprintf("/api/job/%d", opts$job_id))
  answer <- tryCatch(status_code(PUT(url, timeout(30))), error = function(e) conditionMessage(e))
  message(sprintf("reported job %d as failed (PUT answered %s)", opts$job_id, redact(answer)))
  quit(save = "no", status = 1)
}

describe_failure <- function(method, url, response) {
  if (inherits(response, "error")) {
    return(sprintf("%s %s failed: %s", method, url, conditionMessage(response)))
  }
  body <- substr(content(response, as = "text", encoding = "UTF-8"), 1, 500)
  sprintf("%s %s answered %d: %s", method, url, status_code(response), body)
}

# Reads the `loadwithids` CSV: header of node ids, `True`/`False` as 1/0, empty fields NULL.
# Rows holding a NULL are dropped (complete-case analysis).
parse_dataset <- function(text) {
  frame <- read.csv(text = text, check.names = FALSE, na.strings = "", stringsAsFactors = FALSE,
                    colClasses = "character")
  node_ids <- suppressWarnings(as.integer(colnames(frame)))
  if (length(node_ids) == 0 || anyNA(node_ids)) stop("the dataset header must hold node ids", call. = FALSE)
  for (i in seq_along(frame)) {
    column <- frame[[i]]
    present <- column[!is.na(column)]
    if (length(present) > 0 && all(present %in% c("True", "False"))) {
      frame[[i]] <- as.integer(column == "True")
    } else {
      numbers <- suppressWarnings(as.numeric(column))
      if (!anyNA(numbers[!is.na(column)])) frame[[i]] <- numbers
    }
  }
  complete <- complete.cases(frame)
  list(data = frame[complete, , drop = FALSE], node_ids = node_ids, dropped_rows = sum(!complete))
}

# GET /api/dataset/<id>/loadwithids with up to `attempts` tries (contract section 2).
load_dataset <- function(opts, attempts = 5) {
  url <- api_url(opts, sprintf("/api/dataset/%d/loadwithids", opts$dataset_id))
  started <- Sys.time()
  for (attempt in seq_len(attempts)) {
    response <- tryCatch(GET(url, timeout(600)), error = function(e) e)
    if (!inherits(response, "error") && !http_error(response)) break
    if (attempt == attempts) fail_job(opts, describe_failure("GET", url, response))
    Sys.sleep(retry_pause() * attempt)
  }
  seconds <- as.numeric(difftime(Sys.time(), started, units = "secs"))
  header <- headers(response)[["x-content-length"]]
  cat(sprintf("loaded dataset %d in %.3f s (X-Content-Length %s, attempt %d)\n", opts$dataset_id, seconds,
              if (is.null(header)) "absent" else header, attempt))
  dataset <- parse_dataset(content(response, as = "text", encoding = "UTF-8"))
  dataset$loading_time <- seconds
  if (dataset$dropped_rows > 0) cat(sprintf("dropped %d rows with NULL values\n", dataset$dropped_rows))
  dataset <- sample_rows(dataset, opts$sampling_factor, opts$sampling_method)
  cat(sprintf("data: %d rows x %d variables\n", nrow(dataset$data), ncol(dataset$data)))
  dataset
}

# Keeps floor(n * factor) rows: a random subset (in file order) or the first ones.
sample_rows <- function(dataset, factor, method) {
  n <- nrow(dataset$data)
  if (factor >= 1 || n == 0) return(dataset)
  keep <- floor(n * factor)
  rows <- if (method == "top") seq_len(keep) else sort(sample.int(n, keep))
  cat(sprintf("sampled %d of %d rows (%s)\n", keep, n, method))
  dataset$data <- dataset$data[rows, , drop = FALSE]
  dataset
}

# The data as bnlearn wants them for a test or score of this `kind`: "discrete" (every column a
# factor), "gaussian" (every column numeric) or "mixed" (columns with at most `limit` distinct
# values, or text, as factors; the others numeric).
as_bnlearn_data <- function(frame, kind, limit) {
  out <- frame
  for (i in seq_along(out)) {
    column <- out[[i]]
    as_factor <- switch(kind,
      discrete = TRUE,
      gaussian = FALSE,
      mixed = !is.numeric(column) || length(unique(column)) <= limit
    )
    if (!as_factor && !is.numeric(column)) {
      stop(sprintf("column %s is not numeric, which a Gaussian test or score needs", colnames(out)[i]),
           call. = FALSE)
    }
    out[[i]] <- if (as_factor) factor(column) else as.numeric(column)
  }
  out
}

# bnlearn's tests and scores by the data they need (for as_bnlearn_data's `kind`).
bnlearn_tests <- list(
  discrete = c("x2", "x2-adf", "mi", "mi-adf", "mi-sh", "discretized-x2"),
  gaussian = c("cor", "zf", "mi-g", "mi-g-sh")
)
bnlearn_scores <- list(
  discrete = c("loglik", "aic", "bic", "pred-loglik", "bde", "bds", "mbde", "bdla", "k2"),
  gaussian = c("loglik-g", "aic-g", "bic-g", "pred-loglik-g", "bge")
)
bnlearn_test_kind <- function(test) {
  if (test %in% bnlearn_tests$discrete) return("discrete")
  if (test %in% bnlearn_tests$gaussian) "gaussian" else "mixed"
}
bnlearn_score_kind <- function(score) {
  if (score %in% bnlearn_scores$discrete) return("discrete")
  if (score %in% bnlearn_scores$gaussian) "gaussian" else "mixed"
}

# The arcs of a bnlearn fit as result edges (node ids, weight 0). arcs() lists an undirected
# edge in both directions, as the result format wants it.
arc_edges <- function(fit, frame, node_ids) {
  found <- bnlearn::arcs(fit)
  node_of <- function(names) node_ids[match(names, colnames(frame))]
  data.frame(from_node = node_of(found[, "from"]), to_node = node_of(found[, "to"]),
             weight = rep(0, nrow(found)))
}

# A comma-separated k=v option as a list: "test=x2,alpha=0.05" -> list(test = "x2", alpha = 0.05).
# Numbers become numbers, TRUE/FALSE logicals; anything else stays text.
key_value_list <- function(text, option) {
  pairs <- Filter(nzchar, trimws(strsplit(text, ",", fixed = TRUE)[[1]]))
  values <- list()
  for (pair in pairs) {
    parts <- strsplit(pair, "=", fixed = TRUE)[[1]]
    if (length(parts) != 2 || !nzchar(parts[1])) {
      stop(sprintf("--%s: '%s' is not key=value", option, pair), call. = FALSE)
    }
    value <- trimws(parts[2])
    number <- suppressWarnings(as.numeric(value))
    values[[trimws(parts[1])]] <- if (value %in% c("TRUE", "FALSE")) {
      as.logical(value)
    } else if (!is.na(number)) {
      number
    } else {
      value
    }
  }
  values
}
# Every column as integer codes 0..k-1 (pcalg's disCItest and binCItest).
as_codes <- function(frame) {
  as.data.frame(lapply(frame, function(column) as.integer(factor(column)) - 1L), check.names = FALSE)
}

# Directed edges of an adjacency matrix (m[i, j] != 0: an edge i -> j; an undirected edge is
# set both ways) as node ids.
adjacency_edges <- function(m, node_ids) {
  at <- which(m != 0, arr.ind = TRUE)
  data.frame(from_node = node_ids[at[, 1]], to_node = node_ids[at[, 2]])
}

# Mutual information between the columns of each edge, rounded to 4 decimals (MPCSL's weight);
# continuous columns are discretised first unless `discrete`.
mutual_information_weights <- function(frame, edges, node_ids, discrete) {
  if (nrow(edges) == 0) return(numeric())
  columns <- if (discrete) frame else infotheo::discretize(frame)
  column_of <- function(id) columns[[match(id, node_ids)]]
  mapply(function(a, b) round(infotheo::mutinformation(column_of(a), column_of(b)), 4),
         edges$from_node, edges$to_node)
}

# POST /api/job/<id>/result (contract section 3). `edges`: data frame from_node, to_node and
# optionally weight; `sepsets`: list of lists(from_node, to_node, statistic, level, nodes).
upload_result <- function(opts, edges, sepsets = list(), meta = list(), execution_time, loading_time) {
  edge_list <- lapply(seq_len(nrow(edges)), function(i) {
    entry <- list(from_node = edges$from_node[i], to_node = edges$to_node[i])
    if (!is.null(edges$weight)) entry$weight <- edges$weight[i]
    entry
  })
  options_meta <- opts
  options_meta$api_host <- redact(opts$api_host)
  body <- list(
    job_id = opts$job_id,
    meta_results = c(options_meta, meta),
    edge_list = edge_list,
    sepset_list = if (opts$send_sepsets > 0) sepsets else list(),
    execution_time = execution_time,
    dataset_loading_time = loading_time
  )
  json <- toJSON(body, auto_unbox = TRUE, digits = NA, null = "null")
  url <- api_url(opts, sprintf("/api/job/%d/result", opts$job_id))
  response <- tryCatch(POST(url, body = json, content_type_json(), timeout(600)), error = function(e) e)
  if (inherits(response, "error") || http_error(response)) {
    fail_job(opts, describe_failure("POST", url, response))
  }
  cat(sprintf("uploaded result of job %d (%d edges, %d bytes)\n", opts$job_id, nrow(edges), nchar(json)))
  invisible(response)
}

# Seconds since `started` (a Sys.time()).
seconds_since <- function(started) as.numeric(difftime(Sys.time(), started, units = "secs"))
