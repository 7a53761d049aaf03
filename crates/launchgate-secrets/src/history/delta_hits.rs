//! A delta's keyword hits, mostly taken from its base. The keyword automaton's hits are a
//! function of the text alone, so a hit that lies wholly inside a run the delta copied from
//! its base is that base's hit, moved. Only around the delta's own bytes and the seams
//! between runs can a hit be new, and only there does the automaton run: a run of text
//! shared by every version of a file is searched once, in the chain's base.

use std::ops::Range;

use super::pack_walk::Copied;
use launchgate_detect::engine::{Engine, KeywordHit};

/// The keyword hits of `data`, a delta's object, from its base's `base_hits` (sorted) and the
/// runs it `copied` (in order): the same hits, in the same order, as
/// [`Engine::keyword_hits`] finds in `data`.
pub(super) fn derive(
    engine: &Engine,
    data: &[u8],
    base_hits: &[KeywordHit],
    copied: &[Copied],
) -> Vec<KeywordHit> {
    let longest = engine.longest_keyword();
    if longest == 0 {
        return Vec::new();
    }
    let fresh = fresh_regions(data.len(), copied, longest - 1);
    // When the delta's own bytes and seams cover nearly all of it, one search over the whole
    // is cheaper than the bookkeeping.
    if fresh.iter().map(|r| r.len()).sum::<usize>() * 8 > data.len() * 7 {
        return engine.keyword_hits(data);
    }
    let mut hits = Vec::new();
    for run in copied {
        let first = base_hits.partition_point(|h| h.end <= run.from);
        for hit in &base_hits[first..] {
            if hit.end > run.from + run.len {
                break;
            }
            if hit.start >= run.from {
                hits.push(KeywordHit {
                    start: hit.start - run.from + run.to,
                    end: hit.end - run.from + run.to,
                    keyword: hit.keyword,
                });
            }
        }
    }
    let reused = hits.len();
    for region in fresh {
        engine.keyword_hits_in(data, region, &mut hits);
    }
    // A hit found again inside one copied run is already among the base's.
    let mut k = reused;
    for i in reused..hits.len() {
        if !inside_one_run(copied, &hits[i]) {
            hits[k] = hits[i];
            k += 1;
        }
    }
    hits.truncate(k);
    hits.sort_unstable();
    hits
}

/// Where a hit not wholly inside one copied run can lie: the delta's own bytes and the seams
/// between runs, each widened by `reach` (a keyword's length less one) either side, merged.
fn fresh_regions(len: usize, copied: &[Copied], reach: usize) -> Vec<Range<usize>> {
    let mut regions: Vec<Range<usize>> = Vec::new();
    let mut add = |lo: usize, hi: usize| {
        let region = lo.saturating_sub(reach)..(hi + reach).min(len);
        match regions.last_mut() {
            Some(last) if region.start <= last.end => last.end = last.end.max(region.end),
            _ => regions.push(region),
        }
    };
    let mut at = 0;
    for run in copied {
        if run.to > at {
            add(at, run.to);
        } else if at > 0 {
            add(at, at);
        }
        at = run.to + run.len;
    }
    if at < len {
        add(at, len);
    }
    regions
}

fn inside_one_run(copied: &[Copied], hit: &KeywordHit) -> bool {
    let after = copied.partition_point(|r| r.to <= hit.start);
    after > 0 && hit.end <= copied[after - 1].target().end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A delta of `base`: each step either copies a run of the base or inserts text.
    fn delta_of(base: &[u8], seed: u64, steps: usize) -> (Vec<u8>, Vec<Copied>) {
        let inserts: [&[u8]; 6] = [
            b"api_key = ",
            b"sk_live_",
            b"token",
            b"\nlet x = 1;\n",
            b"ghp_",
            b"k",
        ];
        let mut state = seed;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as usize) % n.max(1)
        };
        let (mut out, mut copied) = (Vec::new(), Vec::new());
        for _ in 0..steps {
            if next(3) > 0 && !base.is_empty() {
                let from = next(base.len());
                let len = 1 + next((base.len() - from).min(200));
                copied.push(Copied {
                    to: out.len(),
                    from,
                    len,
                });
                out.extend_from_slice(&base[from..from + len]);
            } else {
                out.extend_from_slice(inserts[next(inserts.len())]);
            }
        }
        (out, copied)
    }

    #[test]
    fn hits_derived_from_the_base_are_those_a_full_search_finds() {
        let engine = crate::default_engine();
        let base =
            b"const API_KEY: &str = \"sk_live_abc\"; // token\nlet password = env(\"GITHUB_TOKEN\");\n\
            aws_secret_access_key=AKIAxxxx ghp_123 xoxb-1 https://user:pass@host/ key: value\n"
                .repeat(4);
        let base_hits = engine.keyword_hits(&base);
        assert!(base_hits.len() > 20, "the base text wakes many keywords");
        for seed in 0..300 {
            let (data, copied) = delta_of(&base, seed, 1 + (seed as usize % 40));
            let derived = derive(engine, &data, &base_hits, &copied);
            assert_eq!(derived, engine.keyword_hits(&data), "seed {seed}");
        }
    }

    #[test]
    fn the_full_search_reports_hits_in_the_order_they_sort() {
        // The windows a rule's regex runs in depend on the order of its hits: sorting them,
        // as derived hits are, must keep the automaton's own order.
        let engine = crate::default_engine();
        let text = b"SK_LIVE_key api_key=sk_test_1 github_token ghp_x AKIA aws_secret_access_key";
        let hits = engine.keyword_hits(text);
        let mut unsorted = Vec::new();
        engine.keyword_hits_in(text, 0..text.len(), &mut unsorted);
        assert!(unsorted.len() > 5);
        assert_eq!(unsorted, hits);
    }

    #[test]
    fn fresh_regions_cover_inserts_and_seams_only() {
        let run = |to, from, len| Copied { to, from, len };
        // copy 0..100, seam at 100, copy 100..200, insert 200..210, copy 210..400
        let copied = [run(0, 0, 100), run(100, 500, 100), run(210, 0, 190)];
        assert_eq!(fresh_regions(400, &copied, 3), vec![97..103, 197..213]);
        assert_eq!(fresh_regions(50, &[], 3), vec![0..50]);
        assert!(inside_one_run(
            &copied,
            &KeywordHit {
                start: 101,
                end: 200,
                keyword: 0
            }
        ));
        assert!(!inside_one_run(
            &copied,
            &KeywordHit {
                start: 99,
                end: 102,
                keyword: 0
            }
        ));
        assert!(!inside_one_run(
            &copied,
            &KeywordHit {
                start: 200,
                end: 203,
                keyword: 0
            }
        ));
    }
}
