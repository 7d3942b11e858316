//! Memory in proportion to what is kept, not to the input: the peak of live heap bytes, counted
//! by this test binary's allocator, while reading a 100 MB line, a record with a huge unused
//! value, and streaming 100 MB through the ordered parallel map.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use stance::io::corpus::{FieldNames, JsonLines, MAX_RECORD_BYTES};
use stance::io::stream::{map_ordered, BatchLimits};
use stance::StanceError;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only counts are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One measurement at a time: the counters are global to the test binary.
static SERIAL: Mutex<()> = Mutex::new(());

/// The peak of live heap bytes above the level when `f` started.
fn peak_during(f: impl FnOnce()) -> usize {
    let start = LIVE.load(Ordering::SeqCst);
    PEAK.store(start, Ordering::SeqCst);
    f();
    PEAK.load(Ordering::SeqCst) - start
}

const MB: usize = 1 << 20;

/// `prefix`, then `n` copies of `fill`, then `suffix`, produced as read: the input itself is
/// never in memory.
fn generated(prefix: &str, fill: &'static [u8], n: usize, suffix: &str) -> impl Read {
    Cursor::new(prefix.as_bytes().to_vec())
        .chain(Repeat {
            fill,
            left: n,
            at: 0,
        })
        .chain(Cursor::new(suffix.as_bytes().to_vec()))
}

struct Repeat {
    fill: &'static [u8],
    left: usize,
    at: usize,
}

impl Read for Repeat {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.left > 0 {
            buf[n] = self.fill[self.at];
            n += 1;
            self.at += 1;
            if self.at == self.fill.len() {
                self.at = 0;
                self.left -= 1;
            }
        }
        Ok(n)
    }
}

fn records(input: impl Read) -> Vec<Result<String, StanceError>> {
    JsonLines::new(
        Path::new("big.jsonl"),
        std::io::BufReader::new(input),
        &FieldNames::default(),
        false,
    )
    .map(|r| r.map(|d| d.text))
    .collect()
}

#[test]
fn a_100_mb_line_is_refused_after_at_most_two_record_limits() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut found = Vec::new();
    let peak = peak_during(|| {
        found = records(generated(
            "{\"text\":\"",
            b"abcdefgh",
            100 * MB / 8,
            "\"}\n{\"text\":\"after\"}\n",
        ));
    });
    assert!(matches!(
        found[0],
        Err(StanceError::LineTooLong { line: 1, .. })
    ));
    assert_eq!(found[1].as_deref().ok(), Some("after"));
    // The line buffer doubles up to twice the limit at worst; 100 MB would show.
    assert!(
        peak < 2 * MAX_RECORD_BYTES + 4 * MB,
        "peak {} MB",
        peak / MB
    );
}

#[test]
fn a_huge_unused_json_value_is_not_built() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut found = Vec::new();
    // An 8 MB line of four million numbers: as a serde_json::Value tree, over 100 MB.
    let peak = peak_during(|| {
        found = records(generated(
            "{\"text\":\"kept\",\"extra\":[",
            b"0,",
            4 * MB,
            "0]}\n",
        ));
    });
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].as_deref().ok(), Some("kept"));
    assert!(peak < 3 * 8 * MB, "peak {} MB", peak / MB);
}

#[test]
fn streaming_100_mb_holds_a_few_batches() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let item = 256 * 1024;
    let mut total = 0usize;
    let peak = peak_during(|| {
        map_ordered(
            &pool,
            (0..400).map(move |i| vec![i as u8; item]),
            Vec::len,
            BatchLimits {
                items: 1024,
                bytes: MB,
            },
            |v| v.len(),
            |n| {
                total += n;
                Ok::<_, ()>(())
            },
        )
        .unwrap();
    });
    assert_eq!(total, 400 * item);
    // One batch being read, one waiting, one being mapped: about 3 MB of the 100 MB.
    assert!(peak < 8 * MB, "peak {} MB", peak / MB);
}

#[test]
fn a_100_mb_table_streams_a_row_at_a_time() {
    use stance::io::table::Table;
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Rows with a quoted cell spanning two lines, commas and doubled quotes: 64 bytes each.
    const ROW: &[u8] = b"r,\"one, \"\"two\"\"\nthree four five six seven eight\",Example Wire\n";
    let n = 100 * MB / ROW.len();
    let (mut rows, mut bytes) = (0usize, 0usize);
    let peak = peak_during(|| {
        let input = generated("id,text,source\n", ROW, n, "");
        let table = Table::new(
            Path::new("big.csv"),
            std::io::BufReader::new(input),
            &FieldNames::default(),
            b',',
            false,
        )
        .unwrap();
        for row in table {
            let row = row.unwrap();
            rows += 1;
            bytes += row.document.text.len() + row.cell(2).map_or(0, str::len);
        }
    });
    assert_eq!(rows, n);
    assert_eq!(
        bytes,
        n * ("one, \"two\"\nthree four five six seven eight".len() + 12)
    );
    assert!(peak < MB, "peak {} KB", peak / 1024);
}
