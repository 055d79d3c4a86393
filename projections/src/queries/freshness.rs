//! How fresh the read side is: its position, and read-your-writes (the image first, then the
//! database for what is read there, see `image.rs`).

use super::*;

/// How long a question for the database waits for it to show what this process promised.
const DATABASE_CATCH_UP: Duration = Duration::from_secs(5);

/// How long the read position waits for the image to show what the database shows (one
/// fold; an image that cannot go on is reported by `/readyz`, and the position is its own).
const IMAGE_CATCH_UP: Duration = Duration::from_secs(1);

/// How long read-your-writes leaves the image to the local projector's feed before it asks the
/// image to read the log itself.
const FED_SOON: Duration = Duration::from_millis(50);

impl ReadModels {
    /// The position the read side has projected up to.
    pub async fn position(&self) -> Result<i64, QueryError> {
        Ok(self.projector.active_checkpoint().await?.1)
    }

    /// The position the read side's database has projected up to, once it shows every
    /// change this process answered as readable: what a reader may ask "as known at". While
    /// the image answers "as of now", once it shows that position too (it usually leads the
    /// database; after a restart it may briefly trail it), so that every answer after this
    /// one shows at least what this position holds; the image's own if it cannot.
    pub async fn readable_position(&self) -> Result<i64, QueryError> {
        self.database_shows_promised().await?;
        let position = self.position().await?;
        match self.image() {
            Some(image) if image.position() < position => {
                let deadline = tokio::time::Instant::now() + IMAGE_CATCH_UP;
                image.wait_for(position, deadline).await;
                Ok(position.min(image.position()))
            }
            _ => Ok(position),
        }
    }

    /// How many committed events the read side has not projected yet.
    pub async fn lag(&self) -> Result<i64, QueryError> {
        let position = self.position().await?;
        let sql = dialect(
            self.backend(),
            "SELECT count(*) FROM events WHERE position > $1",
        );
        Ok(
            on_pool!(self.backend(), pool => sqlx::query_scalar(&sql).bind(position).fetch_one(pool).await?),
        )
    }

    /// Read-your-writes: waits (at most `timeout`) until the read side has projected
    /// `position`; answers whether it did.
    pub async fn wait_for(&self, position: i64, timeout: Duration) -> Result<bool, QueryError> {
        let deadline = tokio::time::Instant::now() + timeout;
        match self.image() {
            // While this process's projector leads, it hands each batch to the image as soon
            // as it reads it: the image shows the change first, and what this process reads
            // from the database waits for the database to show it too (the promise).
            Some(image) if self.store.projects_here() => {
                // The projector's next read brings it; the image reads the log itself only
                // if it does not come soon (a projector that lost its lead, a stalled one).
                let soon = deadline.min(tokio::time::Instant::now() + FED_SOON);
                let shown = image.wait(position, soon, false).await
                    || image.wait_for(position, deadline).await;
                if shown {
                    image.promise(position);
                }
                Ok(shown)
            }
            // Else both must show it: the database (timelines, the audit log and questions
            // about the past are read there) and the image ("as of now").
            Some(image) => Ok(self.wait_for_database(position, deadline).await?
                && image.wait_for(position, deadline).await),
            None => self.wait_for_database(position, deadline).await,
        }
    }

    /// Where the read side this process answers "as of now" from stands, for a follower to
    /// wait for it to move ([`Self::moved_past`]): the image's position while it is live, else
    /// the last batch this process's projector committed; None when neither is here (the
    /// batches of another process's projector are known only by asking the database).
    pub fn local_position(&self) -> Option<i64> {
        match self.image() {
            Some(image) => Some(image.position()),
            None if self.store.projects_here() => Some(*self.store.subscribe_projected().borrow()),
            None => None,
        }
    }

    /// Waits (at most `timeout`) until the read side this process answers from has moved
    /// past `position` (a [`Self::local_position`]); with None, the whole `timeout`. A
    /// follower of a history that found nothing new waits for this as well as for commits:
    /// a commit wakes it before the read side shows the change (the image folds it, the
    /// projector indexes it an instant later).
    pub async fn moved_past(&self, position: Option<i64>, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        match (position, self.image()) {
            (Some(position), Some(image)) => {
                image.wait(position + 1, deadline, false).await;
            }
            (Some(position), None) => {
                let mut projected = self.store.subscribe_projected();
                let _ =
                    tokio::time::timeout_at(deadline, projected.wait_for(|p| *p > position)).await;
            }
            (None, _) => tokio::time::sleep_until(deadline).await,
        }
    }

    /// Before a question is answered from the database: waits until it shows every change
    /// this process's readers were told is readable once the image showed it (the image leads
    /// the database by the batch the projector is writing). Free when nothing is owed.
    pub(crate) async fn database_shows_promised(&self) -> Result<(), QueryError> {
        let Some(promised) = self.store.image().map(|image| image.promised()) else {
            return Ok(());
        };
        if promised == 0
            || (self.store.projects_here()
                && *self.store.subscribe_projected().borrow() >= promised)
        {
            return Ok(());
        }
        let deadline = tokio::time::Instant::now() + DATABASE_CATCH_UP;
        match self.wait_for_database(promised, deadline).await? {
            true => Ok(()),
            false => Err(QueryError::ReadSideBehind(promised)),
        }
    }

    async fn wait_for_database(
        &self,
        position: i64,
        deadline: tokio::time::Instant,
    ) -> Result<bool, QueryError> {
        let mut projected = self.store.subscribe_projected();
        // A batch this process's projector committed up to `position` is readable: it went
        // into the active generation (else its compare-and-set fails), and the position
        // readers see never moves back (a rebuild switches only to a generation at least as
        // far, `Projector::switch_to`). So its signal answers without a round trip. The
        // database is asked every 10 ms (a projector in another process, or none), and right
        // away when no projector of this process is projecting.
        let local = |projected: &mut tokio::sync::watch::Receiver<i64>| {
            self.store.projects_here() && *projected.borrow_and_update() >= position
        };
        if local(&mut projected) {
            return Ok(true);
        }
        let mut ask = !self.store.projects_here();
        loop {
            if ask && self.position().await? >= position {
                return Ok(true);
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(false);
            }
            let wait = Duration::from_millis(10)
                .min(deadline.saturating_duration_since(tokio::time::Instant::now()));
            ask = match tokio::time::timeout(wait, projected.changed()).await {
                Ok(Ok(())) if local(&mut projected) => return Ok(true),
                Ok(Ok(())) => false,
                _ => true,
            };
        }
    }
}
