//! The diff as readable text (`porthole diff` without `--json`): counts first, then each kind
//! of change, `-` for A's side and `+` for B's, the way diff(1) reads.

use super::{ConfigChange, FileChange, ImageDiff};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Text from an image, safe for a terminal: control characters (escape sequences, newlines
/// that would forge lines of this output) are written as `\x1b`, `\n`, ….
fn t(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{{{:02x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`t`] of an optional string, or `default`.
fn t_or<'a>(s: Option<&'a str>, default: &'a str) -> Cow<'a, str> {
    t(s.unwrap_or(default))
}

/// Lines of file changes printed before the rest is only counted (`--json` lists them all).
pub const MAX_FILE_LINES: usize = 2000;

/// Renders the whole diff.
pub fn render(d: &ImageDiff) -> String {
    let mut s = String::new();
    let name = |side: &super::Side| {
        let id = side.config_digest.as_deref().map(short).unwrap_or_default();
        match &side.name {
            Some(n) => format!("{} ({}, config {id})", t(&side.input), t(n)),
            None => format!("{} (config {id})", t(&side.input)),
        }
    };
    let _ = writeln!(s, "--- A: {}", name(&d.a));
    let _ = writeln!(s, "+++ B: {}", name(&d.b));
    let verdict = match (d.equal, d.mode) {
        (true, super::Mode::Semantic) => "equal (the same build: --semantic)",
        (true, _) => "equal",
        (false, _) => "different",
    };
    let _ = writeln!(s, "{verdict}");
    let c = &d.summary;
    let _ = writeln!(
        s,
        "config {} · layers {} shared, +{} -{} · files +{} -{} ~{} · packages +{} -{} ↑{} ↓{} ~{} · secrets +{} -{}{}",
        c.config,
        c.layers_shared,
        c.layers_added,
        c.layers_removed,
        c.files_added,
        c.files_removed,
        c.files_changed,
        c.packages_added,
        c.packages_removed,
        c.packages_upgraded,
        c.packages_downgraded,
        c.packages_changed,
        c.secrets_new,
        c.secrets_gone,
        match &d.vulnerabilities {
            Some(_) => format!(
                " · vulnerabilities +{} -{}",
                c.vulnerabilities_introduced, c.vulnerabilities_fixed
            ),
            None => String::new(),
        }
    );
    for why in &d.trouble {
        let _ = writeln!(s, "trouble: {}", t(why));
    }
    if !d.config.is_empty() {
        let _ = writeln!(s, "\nConfig:");
        for ch in &d.config {
            config_line(&mut s, ch);
        }
    }
    let l = &d.layers;
    if !l.added.is_empty() || !l.removed.is_empty() || l.reordered {
        let _ = writeln!(
            s,
            "\nLayers{}:{}",
            if l.counted { "" } else { " (not counted: --semantic)" },
            if l.reordered {
                " the shared layers come in another order"
            } else {
                ""
            }
        );
        for (sign, list) in [('-', &l.removed), ('+', &l.added)] {
            for r in list {
                let _ = writeln!(
                    s,
                    "{sign} {} {:>10}  {}",
                    r.diff_id.as_deref().map(short).unwrap_or("(no diff_id)"),
                    r.size.map(human).unwrap_or_default(),
                    r.created_by
                        .as_deref()
                        .unwrap_or("")
                        .chars()
                        .take(100)
                        .collect::<String>()
                );
            }
        }
    }
    if !d.packages.is_empty() {
        let _ = writeln!(s, "\nPackages:");
        for p in &d.packages {
            let _ = writeln!(
                s,
                "{:<10} {:<8} {:<32} {} → {}   ({})",
                p.change,
                t(&p.kind),
                t(&p.name),
                t_or(p.a.as_deref(), "-"),
                t_or(p.b.as_deref(), "-"),
                t(&p.path)
            );
        }
    }
    if !d.files.is_empty() {
        let _ = writeln!(s, "\nFiles:");
        for f in d.files.iter().take(MAX_FILE_LINES) {
            file_line(&mut s, f);
        }
        let more = d.files.len().saturating_sub(MAX_FILE_LINES) + d.files_unlisted;
        if more > 0 {
            let _ = writeln!(s, "… and {more} more (--json lists the first 100,000)");
        }
    }
    for (title, list) in [("New secrets", &d.secrets.new), ("Secrets gone", &d.secrets.gone)] {
        if !list.is_empty() {
            let _ = writeln!(s, "\n{title}:");
            for f in list {
                let at = f.path.as_deref().or(f.key.as_deref()).unwrap_or(&f.location);
                let _ = writeln!(
                    s,
                    "  {:<8} {} {} {}",
                    f.severity.as_str(),
                    f.rule,
                    t(at),
                    t(&f.match_redacted)
                );
            }
        }
    }
    if let Some(v) = &d.vulnerabilities {
        for (title, list) in [
            ("Vulnerabilities introduced", &v.introduced),
            ("Vulnerabilities fixed", &v.fixed),
        ] {
            if !list.is_empty() {
                let _ = writeln!(s, "\n{title}:");
                for x in list {
                    let _ = writeln!(
                        s,
                        "  {:<8} {:<22} {} {}",
                        x.severity.rating.as_str(),
                        t(&x.id),
                        t(&x.package.name),
                        t(&x.package.version)
                    );
                }
            }
        }
    }
    if !d.not_compared.is_empty() {
        let _ = writeln!(s, "\nNot compared: {}", d.not_compared.join("; "));
    }
    s
}

fn config_line(s: &mut String, c: &ConfigChange) {
    let field = match &c.key {
        Some(k) => format!("{} {}", c.field, t(k)),
        None => c.field.clone(),
    };
    let note = if c.counted { "" } else { "   (not counted)" };
    if let Some(a) = &c.a {
        let _ = writeln!(s, "- {field}: {}{note}", t(a));
    }
    if let Some(b) = &c.b {
        let _ = writeln!(s, "+ {field}: {}{note}", t(b));
    }
}

fn file_line(s: &mut String, f: &FileChange) {
    match f.change {
        "added" => {
            let _ = writeln!(s, "+ {}", t(&f.path));
        }
        "removed" => {
            let _ = writeln!(s, "- {}", t(&f.path));
        }
        _ => {
            let mut detail: Vec<String> = Vec::new();
            if let (Some(a), Some(b)) = (&f.a, &f.b) {
                for w in &f.what {
                    detail.push(match *w {
                        "type" => format!("type {} → {}", a.kind, b.kind),
                        "size" => format!("size {} → {}", a.size, b.size),
                        "mode" => format!("mode {:o} → {:o}", a.mode & 0o7777, b.mode & 0o7777),
                        "owner" => format!("owner {}:{} → {}:{}", a.uid, a.gid, b.uid, b.gid),
                        "link" => format!(
                            "link {} → {}",
                            t_or(a.link_target.as_deref(), "-"),
                            t_or(b.link_target.as_deref(), "-")
                        ),
                        other => other.to_string(),
                    });
                }
            }
            let _ = writeln!(s, "~ {}   ({})", t(&f.path), detail.join(", "));
        }
    }
}

/// `sha256:0123456789ab` (the first 12 hex digits).
fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

fn human(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
