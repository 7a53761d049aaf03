//! The keyword prefilter: one automaton over every rule's keywords, which finds where
//! candidate rules may match so that no regex runs over text without its keyword.

use std::cell::Cell;
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use launchgate_core::Error;

/// The keyword automaton, in two builds over the same keywords: a contiguous NFA that is
/// quick to build, enough for a pre-commit run over a few files, and a DFA that takes longer
/// to build but scans about twice as fast, built once the engine has seen enough input.
pub(crate) struct Prefilter {
    keywords: Vec<String>,
    nfa: AhoCorasick,
    dfa: OnceLock<Option<AhoCorasick>>,
    scanned: AtomicU64,
}

/// Bytes scanned with the NFA before the DFA is built.
const DFA_AFTER_BYTES: u64 = 2 * 1024 * 1024;

impl Prefilter {
    fn builder() -> aho_corasick::AhoCorasickBuilder {
        let mut builder = AhoCorasick::builder();
        builder
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard);
        builder
    }

    pub(crate) fn new(keywords: Vec<String>) -> Result<Prefilter, Error> {
        let nfa = Prefilter::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&keywords)
            .map_err(|e| Error::input(format!("cannot build the keyword automaton: {e}")))?;
        Ok(Prefilter {
            keywords,
            nfa,
            dfa: OnceLock::new(),
            scanned: AtomicU64::new(0),
        })
    }

    /// The length in bytes of the longest keyword.
    pub(crate) fn longest(&self) -> usize {
        self.keywords.iter().map(String::len).max().unwrap_or(0)
    }

    /// The automaton to scan `len` more bytes with.
    pub(crate) fn automaton(&self, len: usize) -> &AhoCorasick {
        // Once built, the DFA serves every scan: no shared count for threads to contend on.
        if let Some(Some(dfa)) = self.dfa.get() {
            return dfa;
        }
        let before = self.scanned.fetch_add(len as u64, Ordering::Relaxed);
        if before + len as u64 >= DFA_AFTER_BYTES {
            let dfa = self.dfa.get_or_init(|| {
                Prefilter::builder()
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&self.keywords)
                    .ok()
            });
            if let Some(dfa) = dfa {
                return dfa;
            }
        }
        &self.nfa
    }
}

/// The windows each rule a keyword woke is to run in, for one scan. The lists live on in a
/// per-thread scratch between scans: a value of a few bytes (the env gate recognises each
/// `.env` value on its own) would otherwise pay for one empty list per rule, and a walk over
/// every rule afterwards, more than for its scan.
#[derive(Debug, Default)]
pub(crate) struct Windows {
    lists: Vec<Vec<Range<usize>>>,
    woken: Vec<u32>,
}

thread_local! {
    static SCRATCH: Cell<Windows> = Cell::new(Windows::default());
}

/// A scan's [`Windows`], handed back to the thread's scratch when the scan is done.
pub(crate) struct CandidateWindows(Windows);

impl CandidateWindows {
    /// Empty windows for `rules` rules: the thread's scratch, or fresh lists when a scan
    /// further up the stack holds it.
    pub(crate) fn take(rules: usize) -> CandidateWindows {
        let mut windows = SCRATCH.with(Cell::take);
        for &rule in &windows.woken {
            windows.lists[rule as usize].clear();
        }
        windows.woken.clear();
        if windows.lists.len() < rules {
            windows.lists.resize_with(rules, Vec::new);
        }
        CandidateWindows(windows)
    }

    /// The windows of one rule, which now counts as woken.
    pub(crate) fn of(&mut self, rule: u32) -> &mut Vec<Range<usize>> {
        let list = &mut self.0.lists[rule as usize];
        if list.is_empty() {
            self.0.woken.push(rule);
        }
        list
    }

    /// Each woken rule with its windows, in rule order.
    pub(crate) fn woken(&mut self) -> impl Iterator<Item = (usize, &[Range<usize>])> {
        let Windows { lists, woken } = &mut self.0;
        woken.sort_unstable();
        woken.dedup();
        woken
            .iter()
            .map(|&rule| (rule as usize, lists[rule as usize].as_slice()))
            .filter(|(_, windows)| !windows.is_empty())
    }
}

impl Drop for CandidateWindows {
    fn drop(&mut self) {
        let windows = std::mem::take(&mut self.0);
        // During thread teardown the scratch may be gone; the lists are then just freed.
        let _ = SCRATCH.try_with(|cell| cell.set(windows));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_of_one_scan_do_not_leak_into_the_next() {
        let woken = |w: &mut CandidateWindows| -> Vec<(usize, Vec<(usize, usize)>)> {
            w.woken()
                .map(|(r, list)| (r, list.iter().map(|w| (w.start, w.end)).collect()))
                .collect()
        };
        {
            let mut w = CandidateWindows::take(4);
            w.of(3).push(0..5);
            w.of(1).push(2..4);
            w.of(3).push(7..9);
            assert_eq!(woken(&mut w), vec![(1, vec![(2, 4)]), (3, vec![(0, 5), (7, 9)])]);
        }
        let mut w = CandidateWindows::take(4);
        assert_eq!(woken(&mut w), vec![], "a new scan starts empty");
        w.of(2).push(1..2);
        {
            // A scan inside a scan gets its own lists.
            let mut inner = CandidateWindows::take(4);
            assert_eq!(woken(&mut inner), vec![]);
            inner.of(0).push(0..1);
        }
        assert_eq!(woken(&mut w), vec![(2, vec![(1, 2)])]);
    }
}
