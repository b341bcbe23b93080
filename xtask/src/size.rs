//! The release bundle's sizes: raw, gzip and brotli, per file and in total.

use std::io::Write;
use std::path::Path;

use crate::{Result, root};

/// The gzip total that `cargo xtask test` allows: the size reached, plus 0.5%.
/// It grew from 150,548 in deliberate steps (docs/size.md): the reliability fixes (+6,187),
/// four languages and typed errors (about +2,900), serde with serde-wasm-bindgen back as the
/// stack asks (about +18,900, most of it the deserializer and the float printer serde's error
/// messages keep alive), and a faster start (token fetched while the wasm loads, timing marks,
/// the bounded payment list: about +1,200).
/// The help desk (`desk`: find, pick, cash credit, receipt, its words in four languages) ships in
/// the same bundle: measured at +23,314 bytes (180,797 → 204,111 on this toolchain), and the
/// budget moved by exactly that. Its shift view (count, total, each credit, Download CSV, a flag
/// form; the gateway's shift in myq-api's wire types; 19 words in four languages) measured
/// +21,312 more (204,333 → 225,645), and the budget moved by exactly that again.
/// Then cut (docs/size.md: wasm-opt's low-memory folding, fewer memo, closure and task types in
/// the view); the budget is the size reached plus 0.5%.
/// Sizes are deterministic for a given toolchain and lockfile; when a change shrinks the bundle,
/// lower this so it never grows back unnoticed. The figure is for a toolchain without the
/// `rust-src` component: with it, rustc writes local library paths into panic locations (about
/// 0.8 KB raw, 0.15 KB gzip more), so compare sizes only between builds from clean on the same
/// toolchain setup.
pub const GZIP_BUDGET: u64 = 216_603;

/// One file of the bundle.
pub struct FileSize {
    pub name: &'static str,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// What a page downloads for the widget, from `target/www`.
const BUNDLE: [(&str, &str); 3] = [
    ("wasm", "wasm/myq-topup_bg.wasm"),
    ("JS: wasm-bindgen glue", "wasm/myq-topup.js"),
    ("JS: element module", "myq-topup.js"),
];

pub fn bundle_sizes() -> Result<Vec<FileSize>> {
    let dir = root().join("target/www");
    BUNDLE
        .iter()
        .map(|(name, path)| measure(name, &dir.join(path)))
        .collect()
}

/// The widget's CSS, which travels inside the wasm (it is adopted into the shadow root).
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
    Ok(FileSize {
        name,
        raw: bytes.len() as u64,
        gzip: gzip(&bytes),
        brotli: brotli(&bytes),
    })
}

fn gzip(bytes: &[u8]) -> u64 {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory").len() as u64
}

fn brotli(bytes: &[u8]) -> u64 {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out.len() as u64
}

/// Fails when the bundle's gzip total is over [`GZIP_BUDGET`].
pub fn check_budget() -> Result {
    let total: u64 = bundle_sizes()?.iter().map(|f| f.gzip).sum();
    println!("bundle: {total} bytes gzip (budget {GZIP_BUDGET})");
    if total > GZIP_BUDGET {
        return Err(format!(
            "the bundle grew to {total} bytes gzip, over the budget of {GZIP_BUDGET}: \
             find what grew (cargo xtask bench) or, if it is worth it, raise GZIP_BUDGET"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_shrinks_repetitive_bytes() {
        let bytes = b"myq-topup ".repeat(1000);
        assert!(gzip(&bytes) < 200);
        assert!(brotli(&bytes) < gzip(&bytes));
    }
}
