//! The keyword prefilter: one automaton over every rule's keywords, which finds where
//! candidate rules may match so that no regex runs over text without its keyword.

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

    /// The automaton to scan `len` more bytes with.
    pub(crate) fn automaton(&self, len: usize) -> &AhoCorasick {
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
