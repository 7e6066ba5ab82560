//! A push-model tar walker: feed it chunks of any size, it calls an [`EntrySink`] per entry.

use super::header::{self, BLOCK, Block, Pending, TarEntry};
use crate::error::{Error, Result};

/// What a sink wants after seeing an entry's header or a piece of its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Not this entry's body (from `content`: not the rest of it).
    Skip,
    /// This entry's body (from `content`: the rest of it too).
    Body,
    /// Nothing more of this stream: the walk ends here, without an error.
    Stop,
}

/// Whether the walk goes on after an entry ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// The walk ends here, without an error ([`TarStream::push`] then ignores further input).
    Stop,
}

/// Receives the entries of a tar stream, in order. For each entry: one call to `entry`; if it
/// returned [`Want::Body`], zero or more calls to `content` with the body in order (until one
/// returns [`Want::Skip`]); then one call to `end`, for every entry. [`Want::Stop`] or
/// [`Flow::Stop`] ends the walk without an error; an error ends it with that error.
pub trait EntrySink {
    /// A new entry: is its body wanted?
    fn entry(&mut self, entry: &TarEntry) -> Result<Want>;
    /// A piece of the body of the current entry: is the rest wanted?
    fn content(&mut self, entry: &TarEntry, data: &[u8]) -> Result<Want> {
        let _ = (entry, data);
        Ok(Want::Body)
    }
    /// The current entry is complete.
    fn end(&mut self, entry: &TarEntry) -> Result<Flow> {
        let _ = entry;
        Ok(Flow::Continue)
    }
}

enum State {
    Header,
    Meta {
        flag: u8,
        remaining: u64,
        pad: u64,
    },
    Body {
        remaining: u64,
        pad: u64,
        want: bool,
    },
    Padding {
        remaining: u64,
    },
    End,
    /// A sink asked to stop.
    Stopped,
}

/// Limits the walker enforces.
#[derive(Debug, Clone, Copy)]
pub struct StreamLimits {
    pub meta_bytes: u64,
    pub entries: u64,
    pub path_bytes: usize,
}

/// The walker's state between chunks.
pub struct TarStream {
    limits: StreamLimits,
    block: [u8; BLOCK],
    block_len: usize,
    state: State,
    pending: Pending,
    meta: Vec<u8>,
    entry: Option<TarEntry>,
    offset: u64,
    entries: u64,
}

impl TarStream {
    pub fn new(limits: StreamLimits) -> Self {
        TarStream {
            limits,
            block: [0; BLOCK],
            block_len: 0,
            state: State::Header,
            pending: Pending::default(),
            meta: Vec::new(),
            entry: None,
            offset: 0,
            entries: 0,
        }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Entries seen so far.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Whether the end-of-archive marker was seen.
    pub fn ended(&self) -> bool {
        matches!(self.state, State::End)
    }

    /// Feeds the next chunk; [`Flow::Stop`] once a sink asked to stop (then and afterwards).
    pub fn push(&mut self, data: &[u8], sink: &mut dyn EntrySink) -> Result<Flow> {
        self.walk(data, sink)?;
        Ok(if matches!(self.state, State::Stopped) {
            Flow::Stop
        } else {
            Flow::Continue
        })
    }

    fn walk(&mut self, mut data: &[u8], sink: &mut dyn EntrySink) -> Result<()> {
        while !data.is_empty() {
            match &mut self.state {
                State::End | State::Stopped => return Ok(()), // after the end: trailing zero blocks and record padding
                State::Header => {
                    let n = (BLOCK - self.block_len).min(data.len());
                    self.block[self.block_len..self.block_len + n].copy_from_slice(&data[..n]);
                    self.block_len += n;
                    data = &data[n..];
                    self.offset += n as u64;
                    if self.block_len == BLOCK {
                        self.block_len = 0;
                        self.header(sink)?;
                    }
                }
                State::Meta { flag, remaining, pad } => {
                    let n = (*remaining).min(data.len() as u64) as usize;
                    self.meta.extend_from_slice(&data[..n]);
                    *remaining -= n as u64;
                    data = &data[n..];
                    self.offset += n as u64;
                    if *remaining == 0 {
                        let (flag, pad) = (*flag, *pad);
                        self.pending.absorb(flag, &self.meta);
                        self.meta.clear();
                        self.state = State::Padding { remaining: pad };
                    }
                }
                State::Body { remaining, pad, want } => {
                    let n = (*remaining).min(data.len() as u64) as usize;
                    let (want, pad) = (*want, *pad);
                    *remaining -= n as u64;
                    let done = *remaining == 0;
                    if want && let Some(e) = &self.entry {
                        match sink.content(e, &data[..n]).map_err(|err| self.context(err))? {
                            Want::Body => {}
                            Want::Skip => {
                                if let State::Body { want, .. } = &mut self.state {
                                    *want = false;
                                }
                            }
                            Want::Stop => {
                                self.state = State::Stopped;
                                return Ok(());
                            }
                        }
                    }
                    data = &data[n..];
                    self.offset += n as u64;
                    if done {
                        self.state = State::Padding { remaining: pad };
                        self.finish_entry(sink)?;
                    }
                }
                State::Padding { remaining } => {
                    let n = (*remaining).min(data.len() as u64) as usize;
                    *remaining -= n as u64;
                    data = &data[n..];
                    self.offset += n as u64;
                    if *remaining == 0 {
                        self.state = State::Header;
                    }
                }
            }
        }
        // A zero-length body completes without more data.
        if let State::Body { remaining: 0, pad, .. } = self.state {
            self.state = State::Padding { remaining: pad };
            self.finish_entry(sink)?;
        }
        if let State::Padding { remaining: 0 } = self.state {
            self.state = State::Header;
        }
        Ok(())
    }

    fn context(&self, err: Error) -> Error {
        match &self.entry {
            Some(e) => err.at_path(&e.path_lossy()).at_offset(e.header_offset),
            None => err.at_offset(self.offset),
        }
    }

    fn finish_entry(&mut self, sink: &mut dyn EntrySink) -> Result<()> {
        if let Some(e) = self.entry.take()
            && sink
                .end(&e)
                .map_err(|err| err.at_path(&e.path_lossy()).at_offset(e.header_offset))?
                == Flow::Stop
        {
            self.state = State::Stopped;
        }
        Ok(())
    }

    fn header(&mut self, sink: &mut dyn EntrySink) -> Result<()> {
        let at = self.offset - BLOCK as u64;
        match header::parse(&self.block, at)? {
            Block::Zero => self.state = State::End,
            Block::Meta { flag, size } => {
                if size > self.limits.meta_bytes {
                    return Err(Error::limit(format!(
                        "tar metadata record of {size} bytes exceeds the limit of {} bytes",
                        self.limits.meta_bytes
                    ))
                    .at_offset(at));
                }
                self.state = State::Meta {
                    flag,
                    remaining: size,
                    pad: header::padding(size),
                };
                if size == 0 {
                    self.pending.absorb(flag, &[]);
                    self.state = State::Padding { remaining: 0 };
                }
            }
            Block::Entry(mut entry) => {
                self.pending.apply(&mut entry);
                self.entries += 1;
                if self.entries > self.limits.entries {
                    return Err(
                        Error::limit(format!("more than {} entries in one tar stream", self.limits.entries))
                            .at_offset(at),
                    );
                }
                if entry.path.len() > self.limits.path_bytes {
                    return Err(Error::limit(format!(
                        "path of {} bytes exceeds the limit of {} bytes",
                        entry.path.len(),
                        self.limits.path_bytes
                    ))
                    .at_offset(at));
                }
                let want = sink
                    .entry(&entry)
                    .map_err(|e| e.at_path(&entry.path_lossy()).at_offset(at))?;
                if want == Want::Stop {
                    self.state = State::Stopped;
                    return Ok(());
                }
                let size = entry.size;
                self.entry = Some(entry);
                self.state = State::Body {
                    remaining: size,
                    pad: header::padding(size),
                    want: want == Want::Body,
                };
            }
        }
        Ok(())
    }

    /// The stream ended. An archive may end without its end-of-archive marker (many writers
    /// omit it), but not inside a header or body.
    pub fn finish(&mut self) -> Result<()> {
        match &self.state {
            State::End | State::Stopped => Ok(()),
            State::Header if self.block_len == 0 => Ok(()),
            State::Header => Err(Error::malformed(format!(
                "tar stream ends inside a header ({} of 512 bytes)",
                self.block_len
            ))
            .at_offset(self.offset)),
            State::Meta { remaining, .. } => Err(Error::malformed(format!(
                "tar stream ends inside a metadata record ({remaining} bytes missing)"
            ))
            .at_offset(self.offset)),
            State::Body { remaining, .. } => {
                Err(self.context(Error::malformed(format!(
                    "tar stream is truncated: entry body ends {remaining} bytes early (its size field says more than the stream holds)"
                ))))
            }
            // Missing padding after the last body: harmless.
            State::Padding { .. } => Ok(()),
        }
    }
}
