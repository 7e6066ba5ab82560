//! A line diff of two pieces of text (the page's view of a changed text file, 64 KiB of each
//! version at a time): Myers' O((N+M)·D) shortest edit script over the lines left once the
//! common head and tail are set aside, as unified-diff hunks with three lines of context. Past
//! [`MAX_EDITS`] edits the texts are too unlike to align usefully and every middle line is
//! shown removed, then added.

use serde::Serialize;

/// Edits searched for before giving up on aligning (bounds time and memory: the trace holds
/// about `MAX_EDITS²` positions).
pub const MAX_EDITS: usize = 1000;
/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The diff of two texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineDiff {
    /// Either side holds a NUL byte: not text, no lines compared.
    pub binary: bool,
    /// No alignment within [`MAX_EDITS`]: the middle is shown as removed then added.
    pub unaligned: bool,
    pub hunks: Vec<Hunk>,
}

/// Consecutive changed lines with their context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hunk {
    /// 1-based first line on each side (as `@@ -a +b @@`).
    pub a_start: usize,
    pub b_start: usize,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// ` ` same, `-` only in A, `+` only in B.
    pub op: char,
    pub text: String,
}

/// Compares `a` with `b` line by line (bytes read lossily as UTF-8).
pub fn diff(a: &[u8], b: &[u8]) -> LineDiff {
    piece(a, b, Position::default(), true, true).diff
}

/// Where a piece starts on each side: bytes into each file, and lines before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Position {
    pub a_offset: u64,
    pub b_offset: u64,
    pub a_line: usize,
    pub b_line: usize,
}

/// The diff of one piece of each version, and where the next piece starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub diff: LineDiff,
    /// Where the next piece starts (both sides move on to just past their last line in
    /// common, so that an insertion does not misalign the pieces after it).
    pub next: Position,
    /// Both versions were read to their end.
    pub done: bool,
}

/// Diffs a piece of each version (`a` read from `at.a_offset`, `b` from `at.b_offset`;
/// `a_end`/`b_end`: the piece reaches the end of that file). Only whole lines are compared
/// (a piece is cut after its last newline, so no line or UTF-8 character is split); hunks
/// are numbered from the lines before the piece and stop at the last line both have in
/// common, where the next piece starts.
pub fn piece(a: &[u8], b: &[u8], at: Position, a_end: bool, b_end: bool) -> Piece {
    let whole = |bytes: &[u8], end: bool| -> usize {
        if end {
            return bytes.len();
        }
        // A line longer than the piece is taken as it is: the diff must move on.
        bytes.iter().rposition(|&c| c == b'\n').map_or(bytes.len(), |i| i + 1)
    };
    let (a, b) = (&a[..whole(a, a_end)], &b[..whole(b, b_end)]);
    if a.contains(&0) || b.contains(&0) {
        return Piece {
            diff: LineDiff {
                binary: true,
                unaligned: false,
                hunks: Vec::new(),
            },
            next: at,
            done: true,
        };
    }
    let (ta, tb) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let (la, lb): (Vec<&str>, Vec<&str>) = (split(&ta), split(&tb));
    let head = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    let tail = la[head..]
        .iter()
        .rev()
        .zip(lb[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&la[head..la.len() - tail], &lb[head..lb.len() - tail]);
    let (middle, unaligned) = match myers(ma, mb) {
        Some(ops) => (ops, false),
        None => {
            let mut ops = vec![Op::Del; ma.len()];
            ops.extend(std::iter::repeat_n(Op::Ins, mb.len()));
            (ops, true)
        }
    };
    let mut ops = vec![Op::Same; head];
    ops.extend(middle);
    ops.extend(std::iter::repeat_n(Op::Same, tail));
    let done = a_end && b_end;
    // Up to the last line in common (all of it at the end, or when nothing is in common).
    let cut = if done {
        ops.len()
    } else {
        ops.iter().rposition(|&o| o == Op::Same).map_or(ops.len(), |i| i + 1)
    };
    let ops = &ops[..cut];
    let (used_a, used_b) = ops.iter().fold((0, 0), |(x, y), o| match o {
        Op::Same => (x + 1, y + 1),
        Op::Del => (x + 1, y),
        Op::Ins => (x, y + 1),
    });
    let bytes = |lines: &[&str], n: usize, total: usize| -> u64 {
        if n >= lines.len() {
            return total as u64;
        }
        lines[..n].iter().map(|l| l.len() as u64 + 1).sum()
    };
    let mut hunks = hunks(ops, &la, &lb);
    for h in &mut hunks {
        h.a_start += at.a_line;
        h.b_start += at.b_line;
    }
    Piece {
        diff: LineDiff {
            binary: false,
            unaligned,
            hunks,
        },
        next: Position {
            a_offset: at.a_offset + bytes(&la, used_a, a.len()),
            b_offset: at.b_offset + bytes(&lb, used_b, b.len()),
            a_line: at.a_line + used_a,
            b_line: at.b_line + used_b,
        },
        done,
    }
}

fn split(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    text.strip_suffix('\n').unwrap_or(text).split('\n').collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Ins,
}

/// The shortest edit script from `a` to `b`, or `None` past [`MAX_EDITS`].
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    if max == 0 {
        return Some(Vec::new());
    }
    let offset = max as isize;
    let mut v = vec![0isize; 2 * max + 1];
    // For each d, V over k in -d..=d (the rest cannot have been reached yet).
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let at = |k: isize| (k + offset) as usize;
    for d in 0..=(max.min(MAX_EDITS) as isize) {
        for k in (-d..=d).step_by(2) {
            let mut x = if k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]) {
                v[at(k + 1)]
            } else {
                v[at(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[at(k)] = x;
            if x >= n && y >= m {
                trace.push((-d..=d).map(|k| v[at(k)]).collect());
                return Some(backtrack(&trace, n, m));
            }
        }
        trace.push((-d..=d).map(|k| v[at(k)]).collect());
    }
    None
}

/// Walks the trace back from (n, m) to (0, 0).
fn backtrack(trace: &[Vec<isize>], n: isize, m: isize) -> Vec<Op> {
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..trace.len() as isize).rev() {
        let prev = &trace[(d - 1) as usize];
        let get = |k: isize| prev[(k + d - 1) as usize];
        let k = x - y;
        let down = k == -d || (k != d && get(k - 1) < get(k + 1));
        let pk = if down { k + 1 } else { k - 1 };
        let px = get(pk);
        let py = px - pk;
        // Where the edit landed; the diagonal from there to (x, y) is the snake.
        let (sx, sy) = if down { (px, py + 1) } else { (px + 1, py) };
        while x > sx && y > sy {
            ops.push(Op::Same);
            x -= 1;
            y -= 1;
        }
        ops.push(if down { Op::Ins } else { Op::Del });
        x = px;
        y = py;
    }
    while x > 0 && y > 0 {
        ops.push(Op::Same);
        x -= 1;
        y -= 1;
    }
    ops.reverse();
    ops
}

/// Groups the script into hunks with [`CONTEXT`] lines around each change.
fn hunks(ops: &[Op], a: &[&str], b: &[&str]) -> Vec<Hunk> {
    // Each op with its line on each side.
    let mut rows = Vec::with_capacity(ops.len());
    let (mut i, mut j) = (0usize, 0usize);
    for &op in ops {
        rows.push((op, i, j));
        match op {
            Op::Same => {
                i += 1;
                j += 1;
            }
            Op::Del => i += 1,
            Op::Ins => j += 1,
        }
    }
    let changed: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.0 != Op::Same)
        .map(|(n, _)| n)
        .collect();
    let mut out: Vec<Hunk> = Vec::new();
    let mut n = 0;
    while n < changed.len() {
        let start = changed[n].saturating_sub(CONTEXT);
        let mut end = changed[n];
        while n + 1 < changed.len() && changed[n + 1] <= end + 2 * CONTEXT + 1 {
            n += 1;
            end = changed[n];
        }
        let end = (end + CONTEXT + 1).min(rows.len());
        let (_, a_start, b_start) = rows[start];
        let lines = rows[start..end]
            .iter()
            .map(|&(op, i, j)| match op {
                Op::Same => Line {
                    op: ' ',
                    text: a.get(i).copied().unwrap_or("").to_string(),
                },
                Op::Del => Line {
                    op: '-',
                    text: a.get(i).copied().unwrap_or("").to_string(),
                },
                Op::Ins => Line {
                    op: '+',
                    text: b.get(j).copied().unwrap_or("").to_string(),
                },
            })
            .collect();
        out.push(Hunk {
            a_start: a_start + 1,
            b_start: b_start + 1,
            lines,
        });
        n += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies the diff's view of A to get B back: the `-` lines leave, the `+` lines come.
    fn check_rebuilds(a: &str, b: &str) -> LineDiff {
        let d = diff(a.as_bytes(), b.as_bytes());
        let la = split(a);
        let lb = split(b);
        let mut rebuilt: Vec<String> = Vec::new();
        let mut next = 0; // next line of A not yet copied
        for h in &d.hunks {
            rebuilt.extend(la[next..h.a_start - 1].iter().map(|s| s.to_string()));
            next = h.a_start - 1;
            for l in &h.lines {
                match l.op {
                    ' ' => {
                        assert_eq!(la[next], l.text);
                        rebuilt.push(l.text.clone());
                        next += 1;
                    }
                    '-' => {
                        assert_eq!(la[next], l.text);
                        next += 1;
                    }
                    _ => rebuilt.push(l.text.clone()),
                }
            }
        }
        rebuilt.extend(la[next..].iter().map(|s| s.to_string()));
        assert_eq!(rebuilt, lb, "{a:?} -> {b:?}: {d:?}");
        d
    }

    #[test]
    fn edits_are_minimal_and_rebuild_the_second_text() {
        let d = check_rebuilds("a\nb\nc\nd\n", "a\nB\nc\nd\n");
        let ops: Vec<char> = d.hunks[0].lines.iter().map(|l| l.op).collect();
        assert_eq!(ops, vec![' ', '-', '+', ' ', ' ']);
        check_rebuilds("", "x\ny\n");
        check_rebuilds("x\ny\n", "");
        check_rebuilds("one\ntwo\nthree", "zero\none\ntwo\nthree\nfour");
        check_rebuilds("a\nb\nc\na\nb\nb\na", "c\nb\na\nb\na\nc");
        assert!(diff(b"same\n", b"same\n").hunks.is_empty());
        // Far-apart changes are separate hunks; each starts where its context does.
        let a: String = (0..40).map(|i| format!("{i}\n")).collect();
        let b: String = (0..40)
            .map(|i| match i {
                5 => "five\n".to_string(),
                30 => "thirty\n".to_string(),
                _ => format!("{i}\n"),
            })
            .collect();
        let d = check_rebuilds(&a, &b);
        assert_eq!(d.hunks.len(), 2);
        assert_eq!((d.hunks[0].a_start, d.hunks[1].a_start), (3, 28));
    }

    #[test]
    fn pseudo_random_edits_always_rebuild() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200 {
            let len = (next() % 30) as usize;
            let a: Vec<String> = (0..len).map(|_| format!("{}", next() % 5)).collect();
            let mut b = a.clone();
            for _ in 0..(next() % 6) {
                let at = (next() as usize) % (b.len() + 1);
                if next() % 2 == 0 && at < b.len() {
                    b.remove(at);
                } else {
                    b.insert(at, format!("{}", next() % 7));
                }
            }
            check_rebuilds(&a.join("\n"), &b.join("\n"));
        }
    }

    /// Each changed line with its number in its file: `-12 text`, `+13 text`.
    fn numbered(hunks: &[Hunk]) -> Vec<String> {
        let mut out = Vec::new();
        for h in hunks {
            let (mut i, mut j) = (h.a_start, h.b_start);
            for l in &h.lines {
                match l.op {
                    ' ' => {
                        i += 1;
                        j += 1;
                    }
                    '-' => {
                        out.push(format!("-{i} {}", l.text));
                        i += 1;
                    }
                    _ => {
                        out.push(format!("+{j} {}", l.text));
                        j += 1;
                    }
                }
            }
        }
        out
    }

    /// Read piece by piece (a few bytes at a time), a diff after an insertion stays aligned:
    /// the hunks are those of the whole files, numbered as in them.
    #[test]
    fn pieces_stay_aligned_and_numbered_after_an_insertion() {
        let a: String = (0..200).map(|i| format!("line {i}\n")).collect();
        let b: String = (0..200)
            .flat_map(|i| match i {
                10 => vec![
                    "inserted one\n".to_string(),
                    "inserted two\n".to_string(),
                    format!("line {i}\n"),
                ],
                150 => vec!["line 150 changed\n".to_string()],
                _ => vec![format!("line {i}\n")],
            })
            .collect();
        let whole = diff(a.as_bytes(), b.as_bytes());
        let mut at = Position::default();
        let mut changed = Vec::new();
        for _ in 0..1000 {
            let take = |s: &str, from: u64| {
                let from = from as usize;
                let end = (from + 300).min(s.len());
                (s.as_bytes()[from..end].to_vec(), end == s.len())
            };
            let ((pa, ea), (pb, eb)) = (take(&a, at.a_offset), take(&b, at.b_offset));
            let p = piece(&pa, &pb, at, ea, eb);
            changed.extend(numbered(&p.diff.hunks));
            if p.done {
                break;
            }
            assert!(p.next != at, "a piece moves on");
            at = p.next;
        }
        let want = numbered(&whole.hunks);
        assert_eq!(changed, want);
        assert_eq!(want.len(), 4, "two lines inserted, one changed: {want:?}");
    }

    #[test]
    fn unlike_texts_are_shown_whole_and_binary_is_not_compared() {
        let a: String = (0..3000).map(|i| format!("a{i}\n")).collect();
        let b: String = (0..3000).map(|i| format!("b{i}\n")).collect();
        let d = check_rebuilds(&a, &b);
        assert!(d.unaligned);
        assert!(diff(b"text\0", b"text").binary);
    }
}
