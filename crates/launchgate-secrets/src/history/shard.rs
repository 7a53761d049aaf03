//! `--shard K/N`: a deterministic share of the blobs, chosen by object id, so N runners of a
//! CI matrix split one history without coordinating.

use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether a blob belongs to this shard, by the first four bytes of its object id (the
    /// first eight hexadecimal digits). Object ids are hashes, so those spread blobs evenly.
    pub fn contains(&self, object_id: &gix_hash::oid) -> bool {
        let bytes = object_id.as_bytes();
        let value = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        value % self.count == self.index - 1
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid shard `{s}`: expected K/N with 1 <= K <= N, such as 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "1/0", "1", "a/b", "1/3/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_blob_is_in_exactly_one_shard() {
        let ids = [
            "00000000ab00000000000000000000000000ab00",
            "ffffffff01000000000000000000000000000001",
            "1234abcd99000000000000000000000000000099",
            "deadbeef00000000000000000000000000000000",
            "0a0b0c0d0e000000000000000000000000000e0e",
        ];
        for hex in ids {
            let id = gix_hash::ObjectId::from_hex(hex.as_bytes()).unwrap();
            let owners = (1..=3)
                .filter(|&k| Shard { index: k, count: 3 }.contains(&id))
                .count();
            assert_eq!(owners, 1, "{hex}");
        }
        // 0xdeadbeef = 3735928559, which leaves 2 when divided by 3: shard 3/3.
        let id = gix_hash::ObjectId::from_hex(ids[3].as_bytes()).unwrap();
        assert!(Shard { index: 3, count: 3 }.contains(&id));
    }
}
