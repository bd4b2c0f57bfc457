//! Time as the services see it: the system clock, or a fixed one that tests
//! move by hand (session timeouts, rate-limit windows).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    /// A clock stopped at `unix_seconds` until [`Clock::advance`] moves it.
    pub fn fixed(unix_seconds: i64) -> Self {
        Clock {
            fixed: Some(Arc::new(AtomicI64::new(unix_seconds))),
        }
    }

    /// Unix seconds now.
    pub fn now(&self) -> i64 {
        match &self.fixed {
            Some(t) => t.load(Ordering::SeqCst),
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        }
    }

    /// Moves a fixed clock forward; the system clock ignores it.
    pub fn advance(&self, seconds: i64) {
        if let Some(t) = &self.fixed {
            t.fetch_add(seconds, Ordering::SeqCst);
        }
    }

    /// Today's date (UTC) as ISO text.
    pub fn today(&self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.now())
            .map(|t| t.date().to_string())
            .unwrap_or_else(|_| "1970-01-01".to_string())
    }
}
