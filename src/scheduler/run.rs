//! The scheduler loop: launch what may start, watch what runs, end what finished.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, Utc};
use entity::enums::{JobErrorCode, JobStatus};
use futures::StreamExt;
use sqlx::PgPool;
use tokio::sync::{Mutex, Notify};

use super::{EMPTY_LOGS, claim, spec};
use crate::{
    config::Config,
    launcher::{LaunchError, Launcher, RunState},
    lifecycle::{self, LostRun, Transition, TransitionError},
};

/// How many jobs one claim transaction takes at most. Small, so that a claimed job is launched
/// within moments of its claim: a job that waits longer than `CAUSEWAY_LAUNCH_TIMEOUT` between
/// claim and launch is taken for one whose scheduler died.
const CLAIM_BATCH: i64 = 32;

/// How long [`Scheduler::stop`] waits for the pass in progress.
const STOP_WAIT: Duration = Duration::from_secs(5);

pub struct Scheduler {
    pool: PgPool,
    launcher: Arc<dyn Launcher>,
    config: Config,
    wake: Arc<Notify>,
    /// Set by [`Scheduler::stop`]: no new pass, no new claim.
    stopping: AtomicBool,
    /// Held for the duration of a pass of the loop, so that `stop` can wait for it.
    pass: Mutex<()>,
}

/// A running job as the database sees it.
#[derive(Debug)]
struct RunningJob {
    id: i32,
    container_id: Option<String>,
    launched_at: Option<DateTime<Utc>>,
}

impl Scheduler {
    pub fn new(pool: PgPool, launcher: Arc<dyn Launcher>, config: Config) -> Arc<Self> {
        Arc::new(Scheduler {
            pool,
            launcher,
            config,
            wake: Arc::new(Notify::new()),
            stopping: AtomicBool::new(false),
            pass: Mutex::new(()),
        })
    }

    /// Stops the loop (SIGTERM): no new claims; the pass in progress may finish its launches
    /// (for [`STOP_WAIT`] at most), so no claimed job is left without its run. Runs are left
    /// alone: the local ones are in sessions of their own, and the next scheduler adopts them.
    pub async fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        match tokio::time::timeout(STOP_WAIT, self.pass.lock()).await {
            Ok(_) => {
                tracing::info!("scheduler stopped: no more claims; runs keep running for the next scheduler")
            }
            Err(_) => tracing::warn!("scheduler stopped in the middle of a pass; the next one reconciles it"),
        }
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Wakes the loop now (a job was created or cancelled).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs forever. With a NATS client, `job.created` events wake the loop, `job.*.cancelled` /
    /// `deleted` events stop runs at once, and `rpc.nodes` / `rpc.logs` requests are answered.
    pub async fn run(self: Arc<Self>, nats: Option<async_nats::Client>) {
        if let Some(client) = nats {
            tokio::spawn(self.clone().listen_to_events(client.clone()));
            tokio::spawn(self.clone().answer_requests(client));
        }
        loop {
            {
                let _pass = self.pass.lock().await;
                if self.stopping() {
                    return;
                }
                self.tick().await;
            }
            let _ = tokio::time::timeout(self.config.scheduler_poll, self.wake.notified()).await;
        }
    }

    /// One pass: launch every job that may start, then watch the runs.
    pub async fn tick(&self) {
        if let Err(err) = self.launch_waiting().await {
            tracing::error!(error = format!("{err:#}"), "launching waiting jobs failed");
        }
        if let Err(err) = self.monitor().await {
            tracing::error!(error = format!("{err:#}"), "monitoring runs failed");
        }
    }

    /// Claims and launches jobs until none may start; returns how many were launched.
    pub async fn launch_waiting(&self) -> anyhow::Result<usize> {
        let mut launched = 0;
        while !self.stopping() {
            let (claimed, hold) = claim::claim_batch(&self.pool, CLAIM_BATCH).await?;
            if claimed.is_empty() {
                hold.release().await?;
                break;
            }
            let host = self.config.executor_api_host();
            let experiments: Vec<(i32, uuid::Uuid)> = claimed
                .iter()
                .filter(|c| c.job.job_type == entity::job::EXPERIMENT_JOB)
                .map(|c| (c.job.id, c.upload_token))
                .collect();
            let mut specs =
                spec::experiment_launches(&self.pool, &experiments, &host, self.config.load_separation_set)
                    .await?;
            // The batch's rows stay locked from here until their runs are recorded (one commit),
            // so another scheduler's launch timeout cannot take a job back in between. A claim
            // it took back before is not ours any more: not launched.
            let mut tx = self.pool.begin().await?;
            let tokens: Vec<(i32, uuid::Uuid)> = claimed.iter().map(|c| (c.job.id, c.upload_token)).collect();
            let held = lifecycle::lock_claims(&mut tx, &tokens).await?;
            let mut containers: Vec<(i32, String)> = Vec::with_capacity(claimed.len());
            let mut failures: Vec<(i32, LaunchError)> = vec![];
            for job in &claimed {
                let job_id = job.job.id;
                if !held.contains(&job_id) {
                    tracing::warn!(job_id, "claim taken back before the launch; not launching");
                    continue;
                }
                let spec = match job.job.job_type.as_str() {
                    entity::job::EXPERIMENT_JOB => specs
                        .remove(&job_id)
                        .unwrap_or_else(|| Err(anyhow::anyhow!("no launch for job {job_id}"))),
                    entity::job::DATASET_GENERATION_JOB => {
                        let bin = self.config.causeway_bin.as_deref();
                        spec::generation_launch(&self.pool, job_id, &host, job.upload_token, bin).await
                    }
                    other => Err(anyhow::anyhow!("job {job_id}: unknown job type {other}")),
                };
                let outcome = match spec {
                    Ok(spec) => self.launcher.launch(&spec).await,
                    Err(err) => Err(LaunchError::Other(err)),
                };
                match outcome {
                    Ok(container_id) => {
                        containers.push((job_id, container_id));
                        launched += 1;
                    }
                    Err(LaunchError::AlreadyRunning(container_id)) => {
                        tracing::warn!(
                            job_id,
                            container_id,
                            "a run of this job is alive already; adopting it"
                        );
                        containers.push((job_id, container_id));
                    }
                    Err(err) => failures.push((job_id, err)),
                }
            }
            // A crash before this commit leaves runs the next pass finds by their job ids.
            lifecycle::record_containers(&mut tx, &containers).await?;
            tx.commit().await?;
            for (job_id, err) in failures {
                self.launch_failed(job_id, &err).await?;
            }
            // Every claimed job now has its run recorded or has ended: other schedulers may
            // read a free claimer lock as "not being launched" from here on.
            hold.release().await?;
        }
        Ok(launched)
    }

    async fn record_container(&self, job_id: i32, container_id: &str) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        lifecycle::record_container(&mut conn, job_id, container_id).await?;
        Ok(())
    }

    /// Ends a claimed job whose run could not be started (error -127, the reason as its log).
    async fn launch_failed(&self, job_id: i32, err: &LaunchError) -> anyhow::Result<()> {
        tracing::warn!(job_id, error = %err, "launch failed");
        // A launcher failure may pass (API server hiccup); a job that cannot run here never will.
        if matches!(err, LaunchError::Other(_))
            && self.retried(job_id, &format!("launch failed: {err}")).await?
        {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        lifecycle::set_log(&mut tx, job_id, &format!("Causeway could not start this job: {err}\n")).await?;
        ignore_moved_on(lifecycle::apply(&mut tx, job_id, &Transition::LaunchFailed).await)?;
        tx.commit().await?;
        Ok(())
    }

    /// Compares the runs with the jobs: ends jobs whose run failed, vanished or timed out, stops
    /// runs whose job is no longer running (cancelled, hidden, deleted, or done), saves logs and
    /// forgets finished runs.
    pub async fn monitor(&self) -> anyhow::Result<()> {
        // The jobs first, then the runs: a job that names its run in this snapshot launched it
        // before, so the observation cannot miss it (another scheduler launches meanwhile).
        let running: Vec<(i32, Option<String>, Option<DateTime<Utc>>)> =
            sqlx::query_as("SELECT id, container_id, launched_at FROM job WHERE status = $1::job_status")
                .bind(JobStatus::Running.as_str())
                .fetch_all(&self.pool)
                .await?;
        let observations = self.launcher.observe().await?;
        let running: HashMap<i32, RunningJob> = running
            .into_iter()
            .map(|(id, container_id, launched_at)| (id, RunningJob { id, container_id, launched_at }))
            .collect();
        let observed: HashMap<i32, RunState> =
            observations.iter().map(|o| (o.job_id, o.state.clone())).collect();

        for observation in &observations {
            let job_id = observation.job_id;
            let Some(job) = running.get(&job_id) else {
                self.reconcile(job_id, &observation.state).await?;
                continue;
            };
            if job.container_id.is_none() {
                if observation.state == RunState::Pending {
                    // Not yet known to be a run: a local folder whose supervisor has not recorded
                    // itself may be all a killed scheduler left before starting anything (found
                    // by the chaos suite). It is adopted once it runs, or dropped as never started.
                    continue;
                }
                // Launched by a scheduler that stopped before recording it: adopt the run.
                tracing::info!(job_id, container_id = observation.container_id, "adopting a run");
                self.record_container(job_id, &observation.container_id).await?;
            }
            let failure = match &observation.state {
                // A run that ended while its job is still running never uploaded a result.
                RunState::Succeeded | RunState::Failed { .. } => {
                    Some((Transition::Fail(JobErrorCode::Unknown), None))
                }
                RunState::Unschedulable => Some((Transition::Fail(JobErrorCode::Unschedulable), None)),
                RunState::ImageNotFound => Some((Transition::Fail(JobErrorCode::ImageNotFound), None)),
                RunState::Running | RunState::Pending => self.timed_out(job),
            };
            if let Some((transition, note)) = failure {
                if !observation.state.is_finished() {
                    self.launcher.stop(job_id).await?;
                }
                let retried = match retry_reason(&transition) {
                    Some(reason) => self.retried(job_id, reason).await?,
                    None => false,
                };
                if !retried {
                    self.fail(job_id, &transition, note.as_deref()).await?;
                }
                self.launcher.cleanup(job_id).await?;
            }
        }

        // Running jobs with no run: the run vanished (Job or run folder deleted), or none was
        // ever started (the scheduler stopped between claim and launch).
        for job in running.values() {
            if observed.contains_key(&job.id) {
                continue;
            }
            // A vanished run's job keeps MPCSL's log (the marker when none was saved).
            let mut reason = "";
            let note = if job.container_id.is_some() {
                tracing::warn!(job_id = job.id, container_id = job.container_id, "run vanished");
                String::new()
            } else if self.waited_longer_than(job, self.config.launch_timeout) {
                tracing::warn!(job_id = job.id, "no run within the launch timeout");
                reason = "claimed, but no run was observed within the launch timeout";
                format!(
                    "\nCauseway observed no run of this job within {:?} of its claim \
                     (CAUSEWAY_LAUNCH_TIMEOUT); the scheduler may have stopped before launching it.\n",
                    self.config.launch_timeout
                )
            } else if claim::claimer_gone(&self.pool, job.id).await? {
                tracing::warn!(job_id = job.id, "claimed by a scheduler that is gone, and never launched");
                reason = "claimed by a scheduler that stopped before launching it";
                "\nCauseway observed no run of this job: the scheduler that claimed it stopped before \
                 launching it.\n"
                    .to_owned()
            } else {
                continue;
            };
            if job.container_id.is_none() {
                self.without_run(job.id, reason, &note).await?;
                continue;
            }
            let reason = LostRun::Vanished;
            if self.retried(job.id, retry_reason(&Transition::Abandon(reason)).unwrap_or_default()).await? {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            lifecycle::append_log(&mut tx, job.id, &note).await?;
            ignore_moved_on(lifecycle::apply(&mut tx, job.id, &Transition::Abandon(reason)).await)?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Puts the job back to `waiting` for another attempt when its retry budget allows;
    /// `false` (nothing written) when it does not.
    async fn retried(&self, job_id: i32, reason: &str) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let Some(budget) = lifecycle::RetryBudget::load(&mut tx, job_id).await? else { return Ok(false) };
        if !budget.allows_retry() {
            return Ok(false);
        }
        let unit = crate::random::SplitMix64::new(uuid::Uuid::new_v4().as_u64_pair().0).next_f64();
        let retried = lifecycle::retry(&mut tx, job_id, reason, budget.delay(unit)).await?.is_some();
        tx.commit().await?;
        Ok(retried)
    }

    /// A claimed job with no run whose claimer is gone (its claimer lock is free) or that has
    /// waited past the launch timeout: its scheduler stopped between claim and launch, so it
    /// had no attempt. It goes back to `waiting` at once, even without
    /// retries (a few times at most, so that a launcher that never starts anything still ends
    /// the job), or fails with `note` in its log. Decided under the row lock a launch holds, so
    /// a launch in progress is never taken back.
    async fn without_run(&self, job_id: i32, reason: &str, note: &str) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        if !lifecycle::lock_without_run(&mut tx, job_id).await? {
            return Ok(()); // launched (or ended) meanwhile
        }
        let budget = lifecycle::RetryBudget::load(&mut tx, job_id).await?;
        if budget.is_some_and(|b| b.allows_requeue()) {
            lifecycle::retry(&mut tx, job_id, reason, std::time::Duration::ZERO).await?;
        } else {
            lifecycle::append_log(&mut tx, job_id, note).await?;
            ignore_moved_on(lifecycle::apply(&mut tx, job_id, &Transition::Abandon(LostRun::NoRun)).await)?;
        }
        tx.commit().await?;
        Ok(())
    }

    fn waited_longer_than(&self, job: &RunningJob, limit: std::time::Duration) -> bool {
        job.launched_at.is_some_and(|started| (Utc::now() - started).to_std().unwrap_or_default() > limit)
    }

    /// A run whose job is no longer running: its executor ended the job (uploaded the result,
    /// or reported a failure, which leaves the error code empty): let the process finish, for
    /// `exit_grace` at most; or the job was cancelled, hidden, failed or deleted: stop the run.
    /// Once it has ended, its log is saved into the job and the run is forgotten. This is also
    /// how a cancel issued while the scheduler was down takes effect.
    async fn reconcile(&self, job_id: i32, state: &RunState) -> anyhow::Result<()> {
        let job: Option<(String, Option<String>, Option<DateTime<Utc>>)> =
            sqlx::query_as("SELECT status::text, error_code::text, end_time FROM job WHERE id = $1")
                .bind(job_id)
                .fetch_optional(&self.pool)
                .await?;
        let status = job.as_ref().map(|(status, ..)| lifecycle::parse_status(status));
        if let Some((status, error_code, end_time)) = &job {
            let status = lifecycle::parse_status(status);
            if status == Some(JobStatus::Running) {
                // Claimed and launched (by another scheduler) after this pass read the jobs.
                return Ok(());
            }
            let ended_by_executor =
                status == Some(JobStatus::Done) || (status == Some(JobStatus::Error) && error_code.is_none());
            let within_grace = end_time
                .is_none_or(|end| (Utc::now() - end).to_std().unwrap_or_default() < self.config.exit_grace);
            if ended_by_executor && within_grace && !state.is_finished() {
                return Ok(());
            }
        }
        if !state.is_finished() {
            self.launcher.stop(job_id).await?;
        }
        if status.is_some() {
            self.save_log(job_id).await?;
        }
        self.launcher.cleanup(job_id).await
    }

    fn timed_out(&self, job: &RunningJob) -> Option<(Transition, Option<String>)> {
        let limit = self.config.job_timeout?;
        self.waited_longer_than(job, limit).then(|| {
            (
                Transition::Abandon(LostRun::TimedOut),
                Some(format!("\nCauseway stopped this job: it ran longer than {limit:?}.\n")),
            )
        })
    }

    /// Saves the run's output into `job.log` (MPCSL's marker when there is none).
    async fn save_log(&self, job_id: i32) -> anyhow::Result<()> {
        let text = self.launcher.logs(job_id).await.unwrap_or_else(|err| {
            tracing::warn!(job_id, error = %err, "reading run log failed");
            None
        });
        let text = text.filter(|t| !t.is_empty()).unwrap_or_else(|| EMPTY_LOGS.to_owned());
        let mut conn = self.pool.acquire().await?;
        lifecycle::set_log(&mut conn, job_id, &text).await?;
        Ok(())
    }

    /// Ends a running job with an error, keeping the run's log (plus a note).
    async fn fail(&self, job_id: i32, transition: &Transition, note: Option<&str>) -> anyhow::Result<()> {
        let log = self.launcher.logs(job_id).await.ok().flatten().unwrap_or_default();
        let log = format!("{log}{}", note.unwrap_or_default());
        let log = if log.is_empty() { EMPTY_LOGS.to_owned() } else { log };
        let mut tx = self.pool.begin().await?;
        lifecycle::set_log(&mut tx, job_id, &log).await?;
        ignore_moved_on(lifecycle::apply(&mut tx, job_id, transition).await)?;
        tx.commit().await?;
        tracing::warn!(job_id, ?transition, "job failed");
        Ok(())
    }

    async fn listen_to_events(self: Arc<Self>, client: async_nats::Client) {
        let prefix = self.config.events_prefix();
        let subject = format!("{prefix}.job.>");
        let mut subscription = match client.subscribe(subject.clone()).await {
            Ok(subscription) => subscription,
            Err(err) => {
                tracing::error!(error = %err, subject, "cannot subscribe to job events; polling only");
                return;
            }
        };
        while let Some(message) = subscription.next().await {
            let what = message.subject.rsplit('.').next().unwrap_or_default();
            if matches!(what, "created" | "cancelled" | "deleted" | "hidden") {
                self.wake();
            }
        }
    }

    async fn answer_requests(self: Arc<Self>, client: async_nats::Client) {
        let nodes_subject = self.config.rpc_subject("nodes");
        let logs_subject = self.config.rpc_subject("logs");
        let (Ok(mut nodes), Ok(mut logs)) = (
            client.queue_subscribe(nodes_subject.clone(), "scheduler".into()).await,
            client.queue_subscribe(logs_subject.clone(), "scheduler".into()).await,
        ) else {
            tracing::error!("cannot subscribe to scheduler commands");
            return;
        };
        loop {
            tokio::select! {
                Some(request) = nodes.next() => {
                    let nodes = self.launcher.nodes().await.unwrap_or_default();
                    if let Some(reply) = request.reply {
                        let _ = client.publish(reply, serde_json::to_vec(&nodes).unwrap_or_default().into()).await;
                    }
                }
                Some(request) = logs.next() => {
                    let job_id: i32 = std::str::from_utf8(&request.payload).ok().and_then(|t| t.parse().ok()).unwrap_or(-1);
                    let text = self.launcher.logs(job_id).await.ok().flatten();
                    if let Some(reply) = request.reply {
                        let body = text.unwrap_or_else(|| EMPTY_LOGS.to_owned());
                        let _ = client.publish(reply, body.into()).await;
                    }
                }
                else => return,
            }
        }
    }
}

/// Why a failure is worth another attempt: infrastructure failures are; a crash of the
/// executor, its own error report, a timeout and a cancel are not.
fn retry_reason(transition: &Transition) -> Option<&'static str> {
    match transition {
        Transition::Fail(JobErrorCode::Unschedulable) => Some("unschedulable: no node can run it"),
        Transition::Fail(JobErrorCode::ImageNotFound) => Some("image not found"),
        Transition::Abandon(LostRun::Vanished) => Some("run vanished"),
        _ => None,
    }
}

/// A transition refused because the job already moved on (e.g. its result arrived while the
/// run was being stopped) is not an error for the scheduler.
fn ignore_moved_on(result: Result<lifecycle::JobState, TransitionError>) -> anyhow::Result<()> {
    match result {
        Ok(_) | Err(TransitionError::NotAllowed { .. }) | Err(TransitionError::NotFound(_)) => Ok(()),
        Err(TransitionError::Database(err)) => Err(err.into()),
    }
}
