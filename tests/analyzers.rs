//! The layer-analyzer extension point: the call order the walker promises every analyzer, the
//! walk asking for bodies only while some analyzer reads them, a stop as a value (not an
//! error), and the registered analyzers' findings.

use porthole::analyzer::{
    self, AccountFile, BinaryModules, Capture, ContentMatch, EntryMeta, FileSecret, Findings, LayerAnalyzer, Want,
};
use porthole::image::LayerPipeline;
use porthole::image::walk::LayerWalker;
use porthole::limits::Limits;
use porthole::tar::TarEntry;
use porthole::tar::stream::{EntrySink, Flow, StreamLimits, TarStream};
use porthole::tar::write::TarBuilder;
use std::cell::RefCell;
use std::rc::Rc;

/// An analyzer that logs every call and answers as told per path.
struct Recorder {
    log: Rc<RefCell<Vec<String>>>,
    /// Path → what `entry` answers (default Skip).
    answers: Vec<(&'static str, Want)>,
    /// After this many body bytes of one entry, `content` answers this.
    cut: Option<(usize, Want)>,
    seen: usize,
}

impl Recorder {
    fn new(log: &Rc<RefCell<Vec<String>>>, answers: Vec<(&'static str, Want)>, cut: Option<(usize, Want)>) -> Self {
        Recorder {
            log: log.clone(),
            answers,
            cut,
            seen: 0,
        }
    }
}

impl LayerAnalyzer for Recorder {
    fn id(&self) -> &'static str {
        "recorder"
    }
    fn entry(&mut self, e: &EntryMeta) -> Want {
        self.seen = 0;
        let w = self
            .answers
            .iter()
            .find(|(p, _)| *p == e.path)
            .map_or(Want::Skip, |(_, w)| *w);
        self.log
            .borrow_mut()
            .push(format!("entry {} #{} -> {w:?}", e.path, e.index));
        w
    }
    fn content(&mut self, chunk: &[u8]) -> Want {
        self.seen += chunk.len();
        self.log.borrow_mut().push(format!("content {}", chunk.len()));
        match self.cut {
            Some((n, w)) if self.seen >= n => w,
            _ => Want::Body,
        }
    }
    fn end_entry(&mut self, e: &EntryMeta) {
        self.log
            .borrow_mut()
            .push(format!("end {} after {}", e.path, self.seen));
    }
    fn finish(self: Box<Self>, _: &mut Findings) {
        self.log.borrow_mut().push("finish".into());
    }
}

fn layer() -> Vec<u8> {
    let mut t = TarBuilder::new();
    t.dir("etc");
    t.file("etc/a", &[b'a'; 3000], 0o644);
    t.file("./etc/b", &[b'b'; 10], 0o644);
    t.whiteout("etc/gone");
    t.file("etc/c", &[b'c'; 5], 0o644);
    t.finish()
}

/// Runs `analyzers` over `tar` pushed in `chunk`-byte pieces.
fn walk(tar: &[u8], chunk: usize, analyzers: Vec<Box<dyn LayerAnalyzer>>) -> (usize, Findings) {
    let limits = Limits::default();
    let mut p = LayerPipeline::with_sink(&limits, 1 << 30, LayerWalker::new(analyzers));
    for c in tar.chunks(chunk) {
        p.push(c);
    }
    let (digests, walker) = p.finish_with_sink();
    assert!(digests.error.is_none(), "{:?}", digests.error);
    let (entries, findings) = walker.expect("the walker comes back").finish();
    (entries.len(), findings)
}

#[test]
fn an_analyzer_sees_every_entry_and_only_the_bodies_it_asked_for_then_their_end() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let a = Recorder::new(&log, vec![("/etc/a", Want::Body), ("/etc/c", Want::Body)], None);
    let (entries, _) = walk(&layer(), 1 << 20, vec![Box::new(a)]);
    assert_eq!(entries, 5);
    assert_eq!(
        *log.borrow(),
        [
            "entry /etc #0 -> Skip",
            "entry /etc/a #1 -> Body",
            "content 3000",
            "end /etc/a after 3000",
            "entry /etc/b #2 -> Skip",
            "entry /etc/gone #3 -> Skip",
            "entry /etc/c #4 -> Body",
            "content 5",
            "end /etc/c after 5",
            "finish",
        ]
    );
}

#[test]
fn skip_from_content_ends_the_body_but_not_the_entry_and_stop_ends_the_layer() {
    let tar = layer();
    // In 700-byte pieces /etc/a's body arrives in several calls: the first that reaches 1000
    // bytes answers Skip, and no more of that body is given, yet its end is.
    let log = Rc::new(RefCell::new(Vec::new()));
    let a = Recorder::new(
        &log,
        vec![("/etc/a", Want::Body), ("/etc/c", Want::Body)],
        Some((1000, Want::Skip)),
    );
    walk(&tar, 700, vec![Box::new(a)]);
    let log_a = log.borrow().clone();
    let body: Vec<&String> = log_a.iter().filter(|l| l.starts_with("content")).collect();
    assert!(body.len() >= 2, "{log_a:?}");
    let ends: Vec<&String> = log_a.iter().filter(|l| l.starts_with("end")).collect();
    assert!(
        ends[0].starts_with("end /etc/a after ") && !ends[0].ends_with("after 3000"),
        "{log_a:?}"
    );
    assert_eq!(ends[1], "end /etc/c after 5");

    // Stop from content: nothing more until finish, while the walk itself goes on for the
    // others (the entries are all recorded).
    let log = Rc::new(RefCell::new(Vec::new()));
    let other = Rc::new(RefCell::new(Vec::new()));
    let a = Recorder::new(&log, vec![("/etc/a", Want::Body)], Some((1, Want::Stop)));
    let b = Recorder::new(&other, vec![("/etc/c", Want::Body)], None);
    let (entries, _) = walk(&tar, 700, vec![Box::new(a), Box::new(b)]);
    assert_eq!(entries, 5);
    let log = log.borrow();
    assert_eq!(log.last().map(String::as_str), Some("finish"));
    assert!(
        !log.iter().any(|l| l.starts_with("end") || l.contains("/etc/c")),
        "{log:?}"
    );
    assert!(other.borrow().contains(&"end /etc/c after 5".to_string()));

    // Stop from entry: never called again either.
    let log = Rc::new(RefCell::new(Vec::new()));
    let a = Recorder::new(&log, vec![("/etc/a", Want::Stop)], None);
    walk(&tar, 1 << 20, vec![Box::new(a)]);
    assert_eq!(
        *log.borrow(),
        ["entry /etc #0 -> Skip", "entry /etc/a #1 -> Stop", "finish"]
    );
}

/// A tar-level sink that counts what it is given and answers as told.
struct Counting {
    bodies: usize,
    ends: usize,
    skip_after_first_piece: bool,
    stop_at_end_of: Option<&'static str>,
}

impl EntrySink for Counting {
    fn entry(&mut self, _: &TarEntry) -> porthole::Result<Want> {
        Ok(Want::Body)
    }
    fn content(&mut self, _: &TarEntry, _: &[u8]) -> porthole::Result<Want> {
        self.bodies += 1;
        Ok(if self.skip_after_first_piece {
            Want::Skip
        } else {
            Want::Body
        })
    }
    fn end(&mut self, e: &TarEntry) -> porthole::Result<Flow> {
        self.ends += 1;
        Ok(match self.stop_at_end_of {
            Some(p) if e.path_lossy() == p => Flow::Stop,
            _ => Flow::Continue,
        })
    }
}

fn stream() -> TarStream {
    TarStream::new(StreamLimits {
        meta_bytes: 1 << 20,
        entries: 1000,
        path_bytes: 4096,
    })
}

#[test]
fn the_tar_stream_stops_on_a_value_and_ignores_what_follows() {
    let tar = layer();
    let mut s = stream();
    let mut sink = Counting {
        bodies: 0,
        ends: 0,
        skip_after_first_piece: false,
        stop_at_end_of: Some("./etc/b"),
    };
    let mut flows = Vec::new();
    for c in tar.chunks(512) {
        flows.push(s.push(c, &mut sink).expect("no error"));
    }
    assert_eq!(sink.ends, 3, "etc/, etc/a, ./etc/b: then it stopped");
    assert_eq!(flows.last(), Some(&Flow::Stop), "and says so for every later push");
    assert!(s.finish().is_ok(), "a stopped stream is not a truncated one");

    // Skip from content: the rest of that body is not given, the entry still ends.
    let mut s = stream();
    let mut sink = Counting {
        bodies: 0,
        ends: 0,
        skip_after_first_piece: true,
        stop_at_end_of: None,
    };
    for c in tar.chunks(512) {
        assert_eq!(s.push(c, &mut sink).expect("no error"), Flow::Continue);
    }
    assert_eq!(sink.ends, 5, "every entry ends");
    assert_eq!(sink.bodies, 3, "one piece each of etc/a (6 blocks), ./etc/b and etc/c");
}

#[test]
fn the_registered_analyzers_record_their_findings_by_kind() {
    let ids: Vec<&str> = analyzer::for_layer(&Limits::default()).iter().map(|a| a.id()).collect();
    assert_eq!(
        ids,
        [
            "capture-files",
            "secret-scan",
            "go-build-info",
            "cargo-auditable",
            "java-archive",
            "practice-scan"
        ]
    );
    let mut t = TarBuilder::new();
    t.file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n", 0o644);
    t.file(
        "var/lib/dpkg/status",
        b"Package: a\nStatus: install ok installed\nVersion: 1.0\n\n",
        0o644,
    );
    t.file(
        "root/.aws/credentials",
        b"aws_access_key_id = AKIAIOSFODNN7EXAMPLQ\n",
        0o600,
    );
    let limits = Limits::default();
    let mut p = LayerPipeline::new(&limits, 1 << 30);
    p.push(&t.finish());
    let r = p.finish();
    let captures: Vec<&Capture> = r.findings.of::<Capture>().collect();
    assert_eq!(captures.len(), 2);
    assert_eq!(captures[0].entry, 0);
    assert_eq!(captures[0].bytes, b"ID=debian\nVERSION_ID=\"12\"\n");
    let dpkg = captures[1].parsed.as_ref().expect("parsed when the file ended");
    assert_eq!(dpkg.found[0].name, "a");
    assert!(
        captures[1].bytes.is_empty(),
        "a parsed database keeps only its packages"
    );
    let secrets: Vec<&FileSecret> = r.findings.of::<FileSecret>().collect();
    assert!(
        !secrets.is_empty() && secrets.iter().all(|s| s.entry == 2),
        "{secrets:?}"
    );
    assert_eq!(r.findings.of::<BinaryModules>().count(), 0);
    assert_eq!(r.findings.of::<ContentMatch>().count(), 0, "nothing of a miner here");
    assert_eq!(r.findings.of::<AccountFile>().count(), 0);
}

/// The practice scan finds a content rule's match wherever the pieces of a file are cut (a
/// carried tail joins them), reads past the head of a big text file, and keeps account files.
#[test]
fn the_practice_scan_matches_across_pieces_and_keeps_account_files() {
    let mut script = b"#!/bin/sh\n".to_vec();
    script.extend(std::iter::repeat_n(b"# padding line\n".as_slice(), 6000).flatten());
    script.extend_from_slice(b"exec ./w -o stratum+tcp://pool.example.net:3333\n");
    let mut t = TarBuilder::new();
    t.file("etc/shadow", b"root::19700:0:99999:7:::\n", 0o640);
    t.file("opt/run.sh", &script, 0o755);
    let tar = t.finish();
    let limits = Limits::default();
    for chunk in [1usize, 7, 511, 4096, 1 << 20] {
        let mut p = LayerPipeline::new(&limits, 1 << 30);
        for c in tar.chunks(chunk) {
            p.push(c);
        }
        let r = p.finish();
        let found: Vec<&ContentMatch> = r.findings.of::<ContentMatch>().collect();
        assert_eq!(found.len(), 1, "chunk {chunk}: {found:?}");
        assert_eq!(found[0].rule, "PH-MW-0002");
        assert_eq!(found[0].entry, 1);
        assert_eq!(found[0].line, Some(6002), "chunk {chunk}");
        assert_eq!(found[0].excerpt, "stratum+tcp://pool.example.net:3333");
        let accounts: Vec<&AccountFile> = r.findings.of::<AccountFile>().collect();
        assert_eq!(accounts.len(), 1);
        assert_eq!(accounts[0].bytes, b"root::19700:0:99999:7:::\n");
    }
}
