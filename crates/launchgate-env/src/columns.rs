//! Columns of many offsets in one line, counted once.
//!
//! A finding's column is in characters, so finding it means counting the characters before
//! it. Counting from the start of the line for every finding is quadratic on a long line
//! with many findings (a minified bundle, a value with thousands of bad substitutions);
//! [`Columns`] counts only the characters since the previous offset asked for.

/// 1-based columns of byte offsets in `line`, asked for in increasing order.
#[derive(Debug, Clone)]
pub struct Columns<'l> {
    line: &'l str,
    byte: usize,
    column: u32,
}

impl<'l> Columns<'l> {
    pub fn new(line: &'l str) -> Self {
        Columns {
            line,
            byte: 0,
            column: 1,
        }
    }

    /// The 1-based column (in characters) of byte `offset`. An offset before the previous
    /// one starts the count again from the start of the line.
    pub fn at(&mut self, offset: usize) -> u32 {
        let mut offset = offset.min(self.line.len());
        while !self.line.is_char_boundary(offset) {
            offset -= 1;
        }
        if offset < self.byte {
            self.byte = 0;
            self.column = 1;
        }
        let counted = &self.line[self.byte..offset];
        work::add(counted.len());
        self.column += counted.chars().count() as u32;
        self.byte = offset;
        self.column
    }
}

/// The 1-based column of one byte offset, for a line with one finding.
pub fn column(line: &str, offset: usize) -> u32 {
    Columns::new(line).at(offset)
}

/// How many bytes were counted for columns, and read and written by `${VAR}` expansion, on
/// this thread, so tests can prove the work is linear in the input without timing it.
pub mod work {
    use std::cell::Cell;
    use std::thread::LocalKey;

    thread_local! {
        static COUNTED: Cell<usize> = const { Cell::new(0) };
        static EXPANDED: Cell<usize> = const { Cell::new(0) };
    }

    fn bump(counter: &'static LocalKey<Cell<usize>>, bytes: usize) {
        counter.with(|c| c.set(c.get().saturating_add(bytes)));
    }

    pub(crate) fn add(bytes: usize) {
        bump(&COUNTED, bytes);
    }

    pub(crate) fn add_expanded(bytes: usize) {
        bump(&EXPANDED, bytes);
    }

    /// Bytes counted for columns on this thread since it started.
    pub fn counted() -> usize {
        COUNTED.with(Cell::get)
    }

    /// Bytes `dotenv::expand` read and wrote on this thread since it started.
    pub fn expanded() -> usize {
        EXPANDED.with(Cell::get)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes_and_restarts_when_going_back() {
        let mut c = Columns::new("aé€b");
        assert_eq!(c.at(0), 1);
        assert_eq!(c.at(1), 2);
        assert_eq!(c.at(3), 3);
        assert_eq!(c.at(6), 4);
        assert_eq!(c.at(2), 2, "inside a character: its start");
        assert_eq!(c.at(99), 5);
    }
}
