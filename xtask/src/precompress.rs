//! The bundle compressed once at build time instead of on every request: beside each page,
//! script, stylesheet and wasm of `target/www` a `.gz` (zopfli: a gzip stream every browser
//! reads, about 5% smaller than gzip -9's) and a `.br` (brotli at its best quality). The
//! gateway serves them to browsers that accept them (`gateway/src/serve.rs`); a file whose
//! compressed form is no smaller gets none, and the gateway serves it as it is.

use std::io::Write;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use crate::Result;

/// The suffixes of what a page downloads from the bundle (the TypeScript declarations and the
/// icon are for developers and already small).
const COMPRESSED: [&str; 4] = [".wasm", ".js", ".html", ".css"];

/// An encoder: the bytes in, their compressed form out.
pub type Encode = fn(&[u8]) -> Vec<u8>;

/// The precompressed forms: the suffix each gets and the encoder that makes it.
pub const FORMS: [(&str, Encode); 2] = [(".gz", zopfli_gzip), (".br", brotli)];

/// Writes the `.gz` and `.br` of every file under `dir` that a page downloads; answers how
/// many files were compressed.
pub fn precompress(dir: &Path) -> Result<usize> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    for path in &files {
        let bytes =
            std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        for (suffix, encode) in FORMS {
            let target = with_suffix(path, suffix);
            if let Some(compressed) = smaller_form(&bytes, encode) {
                std::fs::write(&target, compressed)
                    .map_err(|err| format!("cannot write {}: {err}", target.display()))?;
            } else if target.exists() {
                std::fs::remove_file(&target)
                    .map_err(|err| format!("cannot remove {}: {err}", target.display()))?;
            }
        }
    }
    Ok(files.len())
}

/// `bytes` as `encode` writes them, when that is smaller: a file is otherwise served as it is.
pub fn smaller_form(bytes: &[u8], encode: Encode) -> Option<Vec<u8>> {
    let form = encode(bytes);
    (form.len() < bytes.len()).then_some(form)
}

/// `path` with `suffix` appended to its file name (`a.js` → `a.js.gz`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result {
    let entries =
        std::fs::read_dir(dir).map_err(|err| format!("cannot list {}: {err}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|err| format!("cannot list {}: {err}", dir.display()))?
            .path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| COMPRESSED.iter().any(|suffix| name.ends_with(suffix)))
        {
            files.push(path);
        }
    }
    Ok(())
}

/// A gzip stream from zopfli, which searches harder than gzip -9 for the same format.
pub fn zopfli_gzip(bytes: &[u8]) -> Vec<u8> {
    let options = zopfli::Options {
        iteration_count: NonZeroU64::new(15).expect("not zero"),
        ..zopfli::Options::default()
    };
    let mut out = Vec::new();
    zopfli::compress(options, zopfli::Format::Gzip, bytes, &mut out).expect("writing to memory");
    out
}

/// gzip -9 (the figure the size budget holds, comparable with every earlier one).
pub fn gzip_best(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Brotli at quality 11 with a 4 MiB window.
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn each_form_decodes_to_the_original_and_zopfli_beats_gzip_best() {
        let bytes = b"<myq-topup amount=\"100\"></myq-topup>\n".repeat(400);
        let gz = zopfli_gzip(&bytes);
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, bytes);
        assert!(gz.len() <= gzip_best(&bytes).len());
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(&bytes)[..], &mut decoded).unwrap();
        assert_eq!(decoded, bytes);
    }

    #[test]
    fn only_downloaded_files_that_shrink_get_compressed_forms() {
        let dir = std::env::temp_dir().join(format!("xtask-precompress-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("wasm")).unwrap();
        let script = dir.join("wasm/a.js");
        std::fs::write(&script, "export const a = 1;\n".repeat(100)).unwrap();
        let tiny = dir.join("b.css");
        std::fs::write(&tiny, "a{}").unwrap();
        std::fs::write(with_suffix(&tiny, ".gz"), "stale").unwrap();
        let types = dir.join("c.d.ts");
        std::fs::write(&types, "export {};\n".repeat(100)).unwrap();

        assert_eq!(precompress(&dir).unwrap(), 2);
        assert!(with_suffix(&script, ".gz").exists());
        assert!(with_suffix(&script, ".br").exists());
        assert!(!with_suffix(&tiny, ".gz").exists(), "a stale form goes");
        assert!(!with_suffix(&tiny, ".br").exists());
        assert!(!with_suffix(&types, ".gz").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
