//! The wasm/JavaScript boundary of a release bundle, tightened after trunk's build.
//!
//! - **Classes nothing can create.** Leptos brings wasm-streams (through server_fn, whatever the
//!   widget's features), whose three `#[wasm_bindgen]` classes would be exported from the wasm.
//!   `.cargo/wasm-link` links the wasm without their methods' exports (so their code is never
//!   linked), and wasm-bindgen writes them as shells with a `free`. A glue class with neither a
//!   constructor nor a `__wrap` (the way Rust hands an object to JavaScript) can never have an
//!   instance: it is cut from the glue, and the exports only it called are removed from the wasm
//!   before wasm-opt's `-Oz`, which then drops their code.
//! - **Short names.** wasm-bindgen names each import after its function and a 16-digit hash
//!   (`__wbg_createElement_6bd5d6b4fa3b0cf0`) and each export after its Rust path. Every name
//!   travels twice, in the wasm and in the glue, and the hashes do not compress. wasm-opt renames
//!   every import, its module and every export to one or two letters and prints what it renamed
//!   (`--minify-imports-and-exports-and-modules`); the glue is rewritten from that list: the keys
//!   of its import object, the module's key, and each `wasm.<export>` it reads.
//!
//! docs/size.md has what each saved. Any name or class the glue does not hold where expected
//! stops the build, so a glue that wasm-bindgen lays out differently fails here, not in a browser.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

use crate::Result;

/// The one module wasm-opt moves every import into (its `SINGLETON_MODULE_NAME`).
const SHORT_MODULE: &str = "a";

/// What wasm-opt renamed: imports by (module, name), exports by name.
struct Renames {
    module: String,
    imports: HashMap<String, String>,
    exports: HashMap<String, String>,
}

/// What [`tighten`] did to one build.
pub struct Tightened {
    pub classes_cut: Vec<String>,
    pub exports_removed: usize,
    pub imports_renamed: usize,
    pub exports_renamed: usize,
}

/// Tightens the wasm and glue in `dir` (a build's folder under `target/www`), in place.
/// `wasm_opt` is the wasm-opt command to run (the pinned binaryen).
pub fn tighten(dir: &Path, wasm_opt: Command) -> Result<Tightened> {
    let wasm = dir.join("myq-topup_bg.wasm");
    let glue_path = dir.join("myq-topup.js");
    let glue = std::fs::read_to_string(&glue_path)
        .map_err(|err| format!("cannot read {}: {err}", glue_path.display()))?;
    let in_file = |err: String| format!("{}: {err}", glue_path.display());
    let (glue, classes_cut, unread) = cut_dead_classes(&glue).map_err(in_file)?;
    let renames = optimize_wasm(&wasm, &unread, wasm_opt)?;
    let glue = rewrite_glue(&glue, &renames).map_err(in_file)?;
    std::fs::write(&glue_path, glue)
        .map_err(|err| format!("cannot write {}: {err}", glue_path.display()))?;
    Ok(Tightened {
        classes_cut,
        exports_removed: unread.len(),
        imports_renamed: renames.imports.len(),
        exports_renamed: renames.exports.len(),
    })
}

/// The glue without its classes that nothing can create, those classes' names, and the exports
/// that only they read (sorted).
fn cut_dead_classes(glue: &str) -> Result<(String, Vec<String>, Vec<String>)> {
    let mut glue = glue.to_owned();
    let mut cut = Vec::new();
    let mut cut_text = String::new();
    let mut from = 0;
    while let Some(found) = glue[from..].find("export class ") {
        let start = from + found;
        let name_start = start + "export class ".len();
        let name_end = name_start
            + glue[name_start..]
                .bytes()
                .take_while(|&b| is_identifier_byte(b))
                .count();
        let name = glue[name_start..name_end].to_owned();
        let end = glue[start..]
            .find("\n}\n")
            .map(|at| start + at + "\n}\n".len())
            .ok_or_else(|| format!("class {name} has no closing brace on a line of its own"))?;
        let creatable =
            glue[start..end].contains("constructor(") || glue.contains(&format!("{name}.__wrap("));
        if creatable {
            from = end;
            continue;
        }
        let mut spans = vec![(start, end)];
        let dispose = format!("if (Symbol.dispose) {name}.prototype");
        if glue[end..].starts_with(&dispose) {
            let line_end = glue[end..].find('\n').map_or(glue.len(), |at| end + at + 1);
            spans.push((end, line_end));
        }
        let registry = format!("const {name}Finalization = ");
        if let Some(at) = glue.find(&registry) {
            let statement_end = glue[at..]
                .find(";\n")
                .map(|e| at + e + 2)
                .ok_or_else(|| format!("{name}Finalization has no end"))?;
            spans.push((at, statement_end));
        }
        // Cut from the back, so the earlier spans keep their offsets.
        spans.sort();
        for &(span_start, span_end) in spans.iter().rev() {
            cut_text.push_str(&glue[span_start..span_end]);
            cut_text.push('\n');
            glue.replace_range(span_start..span_end, "");
        }
        if identifiers(&glue).any(|(s, e)| glue[s..e] == name) {
            return Err(format!(
                "the glue still refers to {name}, which nothing can create"
            ));
        }
        cut.push(name);
        // A registry may sit before the class: scan again from the top (a creatable class is
        // passed over again; there are a handful).
        from = 0;
    }
    let still_read = exports_read(&glue);
    let mut unread: Vec<String> = exports_read(&cut_text)
        .into_iter()
        .filter(|name| !still_read.contains(name))
        .collect();
    unread.sort();
    unread.dedup();
    Ok((glue, cut, unread))
}

/// The exports `glue` reads (`wasm.<name>`).
fn exports_read(glue: &str) -> Vec<String> {
    identifiers(glue)
        .filter(|&(start, _)| reads_export(glue, start))
        .map(|(start, end)| glue[start..end].to_owned())
        .collect()
}

/// Whether the identifier at `start` is read from the glue's `wasm` (its exports object).
fn reads_export(glue: &str, start: usize) -> bool {
    glue[..start]
        .strip_suffix("wasm.")
        .is_some_and(|before| !before.bytes().next_back().is_some_and(is_identifier_byte))
}

/// Runs wasm-opt on `wasm` in place: the exports in `remove` removed, `-Oz` (which drops the
/// code only they reached; on code trunk's run already optimised it takes seconds, and without
/// it binaryen would write the code about 1 KB larger), then the short names; returns the
/// renames it printed.
fn optimize_wasm(wasm: &Path, remove: &[String], mut wasm_opt: Command) -> Result<Renames> {
    wasm_opt.arg(wasm);
    if !remove.is_empty() {
        wasm_opt.arg(format!("--remove-exports={}", remove.join(",")));
    }
    wasm_opt
        .args(["-Oz", "--minify-imports-and-exports-and-modules", "-o"])
        .arg(wasm);
    let printed = crate::printed_json(&mut wasm_opt, &format!("wasm-opt on {}", wasm.display()))?;
    parse_renames(printed)
}

/// What wasm-opt prints: each import as (module, name, short name), each export as (name, short
/// name).
#[derive(Deserialize)]
struct Printed {
    imports: Vec<(String, String, String)>,
    exports: Vec<(String, String)>,
}

fn parse_renames(printed: Value) -> Result<Renames> {
    let Printed { imports, exports } = serde_json::from_value(printed)
        .map_err(|err| format!("wasm-opt printed renames of another shape: {err}"))?;
    let mut modules: Vec<String> = imports.iter().map(|(module, ..)| module.clone()).collect();
    modules.sort();
    modules.dedup();
    // wasm-opt merges every module into one; the glue would have to merge its import objects.
    let [module] = <[String; 1]>::try_from(modules).map_err(|modules| {
        format!(
            "the wasm imports from {} modules, the glue rewrite handles one",
            modules.len()
        )
    })?;
    Ok(Renames {
        module,
        imports: imports
            .into_iter()
            .map(|(_, old, new)| (old, new))
            .collect(),
        exports: exports.into_iter().collect(),
    })
}

/// The glue with the short names: each import's key renamed once, the module's key once, and
/// every `wasm.<export>` read.
fn rewrite_glue(glue: &str, renames: &Renames) -> Result<String> {
    let module_key = format!("\"{}\":", renames.module);
    if glue.matches(&module_key).count() != 1 {
        return Err(format!("expected the import module {module_key} once"));
    }
    let glue = glue.replacen(&module_key, &format!("\"{SHORT_MODULE}\":"), 1);
    let mut out = String::with_capacity(glue.len());
    let mut imports_renamed = HashMap::<&str, usize>::new();
    let mut copied = 0;
    for (start, end) in identifiers(&glue) {
        let name = &glue[start..end];
        let short = if reads_export(&glue, start) {
            renames.exports.get(name)
        } else if glue[end..].trim_start().starts_with(':') {
            let short = renames.imports.get(name);
            if short.is_some() {
                *imports_renamed.entry(name).or_default() += 1;
            }
            short
        } else {
            None
        };
        if let Some(short) = short {
            out.push_str(&glue[copied..start]);
            out.push_str(short);
            copied = end;
        }
    }
    out.push_str(&glue[copied..]);
    let mut unmatched: Vec<_> = renames
        .imports
        .keys()
        .filter(|name| imports_renamed.get(name.as_str()) != Some(&1))
        .collect();
    unmatched.sort();
    if !unmatched.is_empty() {
        return Err(format!(
            "expected each of these imports once as a key of the import object: {unmatched:?}"
        ));
    }
    Ok(out)
}

/// The byte ranges of the JavaScript identifiers in `text` (runs of letters, digits, `_`
/// and `$`; a run that starts with a digit is a number and skipped).
fn identifiers(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            if !is_identifier_byte(bytes[at]) {
                at += 1;
                continue;
            }
            let start = at;
            while at < bytes.len() && is_identifier_byte(bytes[at]) {
                at += 1;
            }
            if !bytes[start].is_ascii_digit() {
                return Some((start, at));
            }
        }
        None
    })
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renames() -> Renames {
        let printed = serde_json::json!({
            "imports": [
                ["./myq-topup_bg.js", "__wbg_Error_208446807d0d1e30", "b"],
                ["./myq-topup_bg.js", "__wbindgen_init_externref_table", "c"],
            ],
            "exports": [["mount", "d"], ["memory", "e"], ["__wbindgen_start", "f"]],
        });
        parse_renames(printed).unwrap()
    }

    const GLUE: &str = r#"export function mount(n) {
    const ret = wasm.mount(n);
    return wasm.mountedwidget_refresh(ret);
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_Error_208446807d0d1e30: function(arg0, arg1) {
            return Error(getStringFromWasm0(arg0, arg1));
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
        },
    };
    return {
        __proto__: null,
        "./myq-topup_bg.js": import0,
    };
}
function __wbg_finalize_init(instance) {
    wasm = instance.exports;
    wasm.__wbindgen_start();
}"#;

    #[test]
    fn renames_the_import_keys_the_module_and_the_exports_read() {
        let glue = rewrite_glue(GLUE, &renames()).unwrap();
        assert!(glue.contains("        b: function(arg0, arg1)"), "{glue}");
        assert!(glue.contains("        c: function()"), "{glue}");
        assert!(glue.contains("\"a\": import0"), "{glue}");
        assert!(glue.contains("const ret = wasm.d(n);"), "{glue}");
        assert!(glue.contains("wasm.f();"), "{glue}");
        assert!(
            glue.contains("export function mount(n)"),
            "the glue's own function keeps its name: {glue}"
        );
        assert!(
            glue.contains("wasm.mountedwidget_refresh(ret)"),
            "an export that only starts like a renamed one is left alone: {glue}"
        );
        let other = rewrite_glue(&format!("{GLUE}\nx = thewasm.mount;"), &renames()).unwrap();
        assert!(
            other.ends_with("x = thewasm.mount;"),
            "only the glue's own `wasm` is read for exports: {other}"
        );
        assert!(
            glue.contains("wasm.__wbindgen_externrefs"),
            "an export wasm-opt did not list is left alone: {glue}"
        );
    }

    #[test]
    fn an_import_the_glue_does_not_hold_once_stops_the_build() {
        let missing = GLUE.replace("__wbg_Error_208446807d0d1e30: ", "error: ");
        let err = rewrite_glue(&missing, &renames()).unwrap_err();
        assert!(err.contains("__wbg_Error_208446807d0d1e30"), "{err}");
        let twice = GLUE.replace(
            "__proto__: null,\n        __wbg",
            "__wbg_Error_208446807d0d1e30: 1,\n        __wbg",
        );
        assert!(rewrite_glue(&twice, &renames()).is_err());
    }

    #[test]
    fn a_glue_importing_from_two_modules_stops_the_build() {
        let printed = serde_json::json!({
            "imports": [["./myq-topup_bg.js", "x", "b"], ["./snippets/y.js", "y", "c"]],
            "exports": [],
        });
        assert!(parse_renames(printed).is_err());
    }

    const CLASSES: &str = r#"export class IntoUnderlyingSink {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        IntoUnderlyingSinkFinalization.unregister(this);
        return ptr;
    }
    free() {
        wasm.__wbg_intounderlyingsink_free(this.__destroy_into_raw(), 0);
    }
    write(chunk) {
        return wasm.intounderlyingsink_write(this.__wbg_ptr, chunk);
    }
    close() {
        wasm.__wbindgen_free(0, 0, 1);
    }
}
if (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = IntoUnderlyingSink.prototype.free;
export class MountedWidget {
    static __wrap(ptr) {
        const obj = Object.create(MountedWidget.prototype);
        return obj;
    }
    refresh() {
        wasm.mountedwidget_refresh(this.__wbg_ptr);
    }
}
export class Made {
    constructor() {
        this.__wbg_ptr = wasm.made_new();
    }
}
export function mount(n) {
    wasm.__wbindgen_free(0, 0, 1);
    return MountedWidget.__wrap(wasm.mount(n));
}
const IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr >>> 0, 1));
const MountedWidgetFinalization = new FinalizationRegistry(ptr => wasm.free(ptr));
"#;

    #[test]
    fn cuts_the_classes_nothing_can_create_and_names_the_exports_only_they_read() {
        let (glue, cut, unread) = cut_dead_classes(CLASSES).unwrap();
        assert_eq!(cut, ["IntoUnderlyingSink"]);
        assert_eq!(
            unread,
            ["__wbg_intounderlyingsink_free", "intounderlyingsink_write"],
            "an export the rest of the glue still reads stays"
        );
        assert!(!glue.contains("IntoUnderlyingSink"), "{glue}");
        assert!(glue.starts_with("export class MountedWidget {"), "{glue}");
        assert!(
            glue.contains("export class Made {"),
            "a class with a constructor stays"
        );
        assert!(glue.contains("const MountedWidgetFinalization"), "{glue}");
        assert!(glue.ends_with("wasm.free(ptr));\n"), "{glue}");
    }

    #[test]
    fn a_cut_class_the_glue_still_names_stops_the_build() {
        let used = format!("{CLASSES}globalThis.sink = IntoUnderlyingSink;\n");
        let err = cut_dead_classes(&used).unwrap_err();
        assert!(err.contains("IntoUnderlyingSink"), "{err}");
    }

    #[test]
    fn renames_of_another_shape_stop_the_build() {
        let printed = serde_json::json!({"imports": [["./m.js", "x"]], "exports": []});
        assert!(parse_renames(printed).is_err_and(|err| err.contains("shape")));
    }

    #[test]
    fn identifiers_skip_numbers_and_punctuation() {
        let text = "a.b1 = 12 + $c_d(x9);";
        let found: Vec<_> = identifiers(text).map(|(s, e)| &text[s..e]).collect();
        assert_eq!(found, ["a", "b1", "$c_d", "x9"]);
    }
}
