//! The widget's bundle as the gateway serves it (`static_dir`): each file in the best
//! precompressed form the browser accepts, as it is to one that accepts none, and with
//! `Vary: Accept-Encoding` so a cache in between never hands one browser's form to another.

#[macro_use]
mod support;

use myq_gateway::config::Config;
use support::gateway::*;

#[tokio::test]
async fn each_file_goes_in_the_best_form_the_browser_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("www");
    std::fs::create_dir_all(bundle.join("wasm")).unwrap();
    // The forms' contents are told apart, not decoded: the gateway only picks a file.
    let wasm = bundle.join("wasm/myq-topup_bg.wasm");
    std::fs::write(&wasm, "raw wasm").unwrap();
    std::fs::write(bundle.join("wasm/myq-topup_bg.wasm.gz"), "gzip form").unwrap();
    std::fs::write(bundle.join("wasm/myq-topup_bg.wasm.br"), "brotli form").unwrap();
    // A file the build left uncompressed (it would not shrink).
    std::fs::write(bundle.join("favicon.png"), "png").unwrap();

    let harness = Harness::prepare(Setup::new(&format!(
        "sqlite://{}",
        dir.path().join("ledger.sqlite3").display()
    )))
    .await;
    let mut config = Config::load(&harness.config_path).unwrap();
    config.static_dir = Some(bundle);
    let gateway = myq_gateway::serve::start(config).await.unwrap();

    // (path, the browser's Accept-Encoding, the Content-Encoding and body it gets)
    let cases = [
        (
            "wasm/myq-topup_bg.wasm",
            Some("gzip, deflate, br, zstd"),
            Some("br"),
            "brotli form",
        ),
        (
            "wasm/myq-topup_bg.wasm",
            Some("gzip, deflate"),
            Some("gzip"),
            "gzip form",
        ),
        ("wasm/myq-topup_bg.wasm", None, None, "raw wasm"),
        ("favicon.png", Some("gzip, br"), None, "png"),
    ];
    for (path, accept, encoding, body) in cases {
        let mut request = harness
            .http
            .get(format!("{}/myq-topup/{path}", gateway.url()));
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 200, "{path}");
        let header = |name| {
            answer
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let case = format!("{path} for {accept:?}");
        assert_eq!(header("content-encoding").as_deref(), encoding, "{case}");
        assert_eq!(header("vary").as_deref(), Some("accept-encoding"), "{case}");
        if path.ends_with(".wasm") {
            // The type of the file, not of its compressed form.
            let kind = header("content-type");
            assert_eq!(kind.as_deref(), Some("application/wasm"), "{case}");
        }
        assert_eq!(answer.text().await.unwrap(), body, "{case}");
    }
}
