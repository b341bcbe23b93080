//! The release bundle's sizes: raw, gzip -9, and as served (zopfli's gzip, brotli), per file
//! and in total.

use std::path::Path;

use crate::precompress::{self, with_suffix};
use crate::{Result, root};

/// The gzip total that `cargo xtask test` allows a student's bundle: the size reached, plus 0.5%.
/// It grew from 150,548 in deliberate steps (docs/size.md): the reliability fixes (+6,187),
/// four languages and typed errors (about +2,900), serde with serde-wasm-bindgen back as the
/// stack asks (about +18,900, most of it the deserializer and the float printer serde's error
/// messages keep alive), and a faster start (token fetched while the wasm loads, timing marks,
/// the bounded payment list: about +1,200).
/// The help desk (find, pick, cash credit, receipt, shift; +23,314 and +21,312 as measured when
/// each part was added) shipped in the same bundle until its views went behind the `desk`
/// feature: the student's bundle is built without it (216,021 → 185,044; 184,991 once the
/// shift's day used the shared input field), the desk's with it. A faster start grew it again
/// (184,991 → 186,772: the providers read while the user is found, +389; the first render after
/// the start settles, the token handed over as it is, +1,392), and the desk's words left out of
/// the student's build took it to 185,049 (185,172 after the review's mends). Tightening the
/// wasm/JavaScript boundary after the build (`boundary.rs`: short import and export names, the
/// classes nothing can create cut) took it to 175,938; the widget's parts, payment lists and
/// notice built anew instead of diffed (`ui/controls.rs`, `rebuilt`) to 170,218; no erased
/// view and the balance's paragraph hidden rather than rebuilt to 166,911; the view and the
/// configuration read in place instead of cloned whole to 165,896; the part shown keyed by the
/// phase itself (the review's mends) to 165,655; the desk's CSS left out and the stream classes
/// never linked (`.cargo/wasm-link`) to 159,945 (159,973 after the review's mends, the regions
/// one helper).
/// Sizes are deterministic for a given toolchain and lockfile; when a change shrinks the bundle,
/// lower this so it never grows back unnoticed. The figure is for a toolchain without the
/// `rust-src` component: with it, rustc writes local library paths into panic locations (about
/// 0.8 KB raw, 0.15 KB gzip more), so compare sizes only between builds from clean on the same
/// toolchain setup.
pub const GZIP_BUDGET: u64 = 160_745;

/// The gzip total allowed for the help desk's bundle (the same element module, the build with
/// the `desk` feature): the size reached (216,410, then 215,613 with the shared input field, then
/// 217,556 with the faster start, 217,658 with the desk's words in tables of their own, 217,549
/// after the review's mends, 208,350 with the boundary tightened, 201,115 with regions built
/// anew instead of diffed, 199,378 with no erased view in a student's parts, 196,723 with none
/// in the desk's matches either, 196,383 with the view and configuration read in place, 195,850
/// after the review's mends, 190,748 with the stream classes never linked, 190,725 after the
/// review's mends), plus 0.5%.
pub const DESK_GZIP_BUDGET: u64 = 191_702;

/// One file of the bundle.
pub struct FileSize {
    pub name: &'static str,
    pub raw: u64,
    /// gzip -9: the budget's measure, comparable with every figure before precompression.
    pub gzip: u64,
    /// What the gateway sends a browser that accepts gzip: the `.gz` beside the file.
    pub served_gzip: u64,
    /// What the gateway sends a browser that accepts brotli: the `.br` beside the file.
    pub brotli: u64,
}

/// The name of a bundle's total row in the bench's table and report.
pub const TOTAL_ROW: &str = "total (wasm + JS)";

impl FileSize {
    /// The files' sizes added up, as one row named `name`.
    pub fn total(name: &'static str, files: &[FileSize]) -> FileSize {
        let sum = |size: fn(&FileSize) -> u64| files.iter().map(size).sum();
        FileSize {
            name,
            raw: sum(|f| f.raw),
            gzip: sum(|f| f.gzip),
            served_gzip: sum(|f| f.served_gzip),
            brotli: sum(|f| f.brotli),
        }
    }
}

/// Where a student's build puts its wasm and glue, under `target/www`.
pub const STUDENT: &str = "wasm";
/// Where a help desk's build puts them; its page loads the same element module.
pub const DESK: &str = "desk/wasm";

/// What a page downloads for the widget from `target/www`: the wasm and glue of the build in
/// `build` ([`STUDENT`], [`DESK`]), and the element module.
pub fn bundle_sizes(build: &str) -> Result<Vec<FileSize>> {
    let dir = root().join("target/www");
    [
        ("wasm", dir.join(build).join("myq-topup_bg.wasm")),
        (
            "JS: wasm-bindgen glue",
            dir.join(build).join("myq-topup.js"),
        ),
        ("JS: element module", dir.join("myq-topup.js")),
    ]
    .iter()
    .map(|(name, path)| measure(name, path))
    .collect()
}

/// A student's CSS (the desk's rules are in a desk's build only), which travels inside the
/// wasm (it is adopted into the shadow root).
pub fn css_size() -> Result<FileSize> {
    measure(
        "CSS (inside the wasm)",
        &root().join("src/ui/topup/style.css"),
    )
}

fn measure(name: &'static str, path: &Path) -> Result<FileSize> {
    let bytes = std::fs::read(path).map_err(|err| {
        format!(
            "cannot read {}: {err} (build the bundle first)",
            path.display()
        )
    })?;
    let [served_gzip, brotli] =
        precompress::FORMS.map(|(suffix, encode)| served(path, &bytes, suffix, encode));
    Ok(FileSize {
        name,
        raw: bytes.len() as u64,
        gzip: precompress::gzip_best(&bytes).len() as u64,
        served_gzip,
        brotli,
    })
}

/// The size of the form the gateway serves: the precompressed file beside `path`; for a file
/// without one (the CSS inside the wasm), the form the build would write, by the build's rule.
fn served(path: &Path, bytes: &[u8], suffix: &str, encode: precompress::Encode) -> u64 {
    std::fs::metadata(with_suffix(path, suffix)).map_or_else(
        |_| precompress::smaller_form(bytes, encode).map_or(bytes.len(), |form| form.len()) as u64,
        |form| form.len(),
    )
}

/// Fails when a bundle's gzip total is over its budget ([`GZIP_BUDGET`], [`DESK_GZIP_BUDGET`]).
pub fn check_budget() -> Result {
    for (name, bundle, budget, constant) in [
        ("bundle", STUDENT, GZIP_BUDGET, "GZIP_BUDGET"),
        ("desk bundle", DESK, DESK_GZIP_BUDGET, "DESK_GZIP_BUDGET"),
    ] {
        let sizes = FileSize::total(name, &bundle_sizes(bundle)?);
        let total = sizes.gzip;
        println!(
            "{name}: {total} bytes gzip -9 (budget {budget}); served: {} gzip, {} brotli",
            sizes.served_gzip, sizes.brotli
        );
        if total > budget {
            return Err(format!(
                "the {name} grew to {total} bytes gzip, over the budget of {budget}: \
                 find what grew (cargo xtask bench) or, if it is worth it, raise {constant}"
            ));
        }
    }
    Ok(())
}
