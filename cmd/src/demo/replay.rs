//! How the demo is recorded: its commands are queued with the times they were recorded at,
//! run in that order on a scratch store (with the processes they cause), and the resulting
//! log is imported with those times, as `governance import` does.

use super::*;
use anyhow::{anyhow, Context};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use projections::store::Store;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

/// One command of the demo, queued with the time it is recorded at.
pub(super) struct Job {
    /// When it was recorded; `None` for an organization's registration, recorded just
    /// before the first command that names the organization.
    pub(super) when: Option<DateTime<Utc>>,
    /// `Type/id` of the aggregate it changes.
    pub(super) aggregate: String,
    /// The helper call that queued it: its commands on one aggregate keep their order.
    pub(super) group: usize,
    /// The command and its actor as JSON, to find the commands that name an organization.
    pub(super) text: String,
    pub(super) run: JobFn,
}

pub(super) type JobFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<Vec<i64>>> + 'a>>;
pub(super) type JobFn = Box<dyn for<'a> FnOnce(&'a Store) -> JobFuture<'a>>;

/// When a command of a business date was recorded: that morning.
pub(super) fn recorded(on: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&on.and_hms_opt(10, 0, 0).expect("a valid time"))
}

impl Demo {
    /// Gives every command its recording time: an organization's registration just before
    /// the first command that names it; within one helper call on one aggregate (an
    /// application and its approval, a protocol's drafting and signatures), never earlier than
    /// the command before it. Then orders the commands by that time (ties keep their order).
    fn schedule(&mut self) {
        for i in 0..self.jobs.len() {
            if self.jobs[i].when.is_some() {
                continue;
            }
            let id = self.jobs[i]
                .aggregate
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let first = self.jobs[i + 1..]
                .iter()
                .filter(|j| j.text.contains(&id))
                .filter_map(|j| j.when)
                .min();
            self.jobs[i].when = Some(first.map_or(recorded(day(2011, 1, 10)), |t| {
                t - chrono::Duration::hours(1)
            }));
        }
        let mut last: HashMap<(String, usize), DateTime<Utc>> = HashMap::new();
        for job in &mut self.jobs {
            let key = (job.aggregate.clone(), job.group);
            let mut when = job.when.unwrap_or_else(|| recorded(day(2011, 1, 10)));
            if let Some(before) = last.get(&key) {
                when = when.max(*before);
            }
            job.when = Some(when);
            last.insert(key, when);
        }
        self.jobs.sort_by_key(|j| j.when);
    }

    /// Runs the queued commands, in the order they were recorded, on a scratch store (with
    /// the processes they cause, as the server would run them), then imports that log into
    /// `store` with the times things were recorded, as `governance import` does. Answers how
    /// many events it wrote (0 when the demo was already there).
    pub(super) async fn replay(mut self, store: &Store) -> anyhow::Result<usize> {
        self.schedule();
        let dir = tempfile::tempdir().context("a scratch directory for the demo")?;
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let mut scratch = Store::open(&url)
            .await
            .context("a scratch store for the demo")?;
        if let Some(secrets) = crate::config::SECRETS.get() {
            scratch = scratch.with_secrets(secrets.clone());
        }
        let projector = projections::projector::Projector::new(scratch.clone())
            .spawn(std::time::Duration::from_secs(1));
        let processes = projections::processes::ProcessManager::new(scratch.clone());
        let mut times: Vec<(i64, DateTime<Utc>)> = Vec::new();
        for job in self.jobs {
            let when = job.when.unwrap_or_else(Utc::now);
            for position in (job.run)(&scratch).await? {
                times.push((position, when));
            }
            while processes
                .run_batch()
                .await
                .map_err(|e| anyhow!("the demo's processes: {e}"))?
                > 0
            {}
        }
        projector.shutdown(std::time::Duration::from_secs(5)).await;
        times.sort_unstable();
        // Recording times never go back: after what the store already holds, at the latest.
        let floor = match store.head_position().await? {
            0 => None,
            head => store
                .export_after(head - 1, 1, None)
                .await?
                .first()
                .map(|e| e.recorded_at),
        };
        let mut events = Vec::new();
        let mut after = 0;
        loop {
            let batch = scratch.export_after(after, 10_000, None).await?;
            let Some(last) = batch.last() else { break };
            after = last.position;
            events.extend(batch);
        }
        let mut when = recorded(day(2011, 1, 10));
        for event in &mut events {
            // A process's events were recorded with the command that caused them.
            if let Ok(i) = times.binary_search_by_key(&event.position, |(p, _)| *p) {
                when = times[i].1;
            }
            event.recorded_at = floor.map_or(when, |f| when.max(f));
        }
        // Loaded already (by this version or an earlier one): the first event is there.
        match store.import_batch(1, &events[..events.len().min(1)]).await {
            Ok(report) if report.imported == 0 => return Ok(0),
            Ok(_) => {}
            Err(projections::store::ImportError::AltersHistory { .. }) => return Ok(0),
            Err(e) => return Err(e.into()),
        }
        let mut written = 1;
        for (i, chunk) in events[1..].chunks(1_000).enumerate() {
            written += store.import_batch(2 + i * 1_000, chunk).await?.imported;
        }
        Ok(written)
    }
}
