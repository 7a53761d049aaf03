//! The wait until the new release is live, so the old one is never tested.

use std::time::{Duration, Instant};

use launchgate_core::CheckRun;

use super::Suite;
use crate::cookies::CookieJar;
use crate::http::Prepared;
use crate::vars::Vars;

impl Suite {
    /// Polls `live_version` until its body shows the expected text or time runs out.
    pub(super) async fn wait_for_live_version(&self) -> CheckRun {
        let Some(lv) = &self.spec.live_version else {
            return CheckRun::new("live version");
        };
        let mut outcome = CheckRun::new("live version");
        let vars = Vars::new(self.env.clone(), self.redactor.clone());
        let (Ok(path), Ok(wanted)) = (vars.expand(&lv.get), vars.expand(&lv.body_contains)) else {
            return outcome.fail("smoke.live-version", "cannot expand live_version".into(), &lv.get);
        };
        let Ok(url) = self.base.join(&path) else {
            return outcome.fail("smoke.live-version", format!("`{path}` is not a path"), &path);
        };
        let timeout = lv.timeout.map(|d| d.0).unwrap_or(Duration::from_secs(300));
        let interval = lv.interval.map(|d| d.0).unwrap_or(Duration::from_secs(5));
        let started = Instant::now();
        let mut polls = 0u32;
        let mut last;
        loop {
            polls += 1;
            let mut jar = CookieJar::default();
            match self
                .client
                .send(&Prepared::get(url.clone()), &mut jar, true, None)
                .await
            {
                Ok(r) if r.status == 200 && r.text().contains(&wanted) => {
                    outcome.duration_ms = Some(started.elapsed().as_millis() as u64);
                    outcome.detail = Some(format!(
                        "HTTP 200, live after {polls} poll{}",
                        if polls == 1 { "" } else { "s" }
                    ));
                    return outcome;
                }
                Ok(r) => last = format!("status {}; {}", r.status, r.body_excerpt()),
                Err(e) => last = e.to_string(),
            }
            let left = timeout.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            tokio::time::sleep(interval.min(left)).await;
        }
        outcome.duration_ms = Some(started.elapsed().as_millis() as u64);
        outcome.fail(
            "smoke.live-version",
            format!(
                "{url} did not show `{wanted}` within {} ({polls} polls); last answer: {last}",
                crate::http::secs(timeout)
            ),
            url.as_str(),
        )
    }
}
