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

    let fetch = |path: &'static str, accept: Option<&'static str>| {
        let mut request = harness
            .http
            .get(format!("{}/myq-topup/{path}", gateway.url()));
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        async move {
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status(), 200, "{path}");
            let header = |name| {
                answer
                    .headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
            };
            let (encoding, vary, kind) = (
                header("content-encoding"),
                header("vary"),
                header("content-type"),
            );
            (encoding, vary, kind, answer.text().await.unwrap())
        }
    };
    let wasm_type = Some("application/wasm".to_owned());
    let vary = Some("accept-encoding".to_owned());

    let (encoding, seen_vary, kind, body) =
        fetch("wasm/myq-topup_bg.wasm", Some("gzip, deflate, br, zstd")).await;
    assert_eq!(
        (encoding.as_deref(), body.as_str()),
        (Some("br"), "brotli form")
    );
    assert_eq!((&kind, &seen_vary), (&wasm_type, &vary));

    let (encoding, seen_vary, kind, body) =
        fetch("wasm/myq-topup_bg.wasm", Some("gzip, deflate")).await;
    assert_eq!(
        (encoding.as_deref(), body.as_str()),
        (Some("gzip"), "gzip form")
    );
    assert_eq!((&kind, &seen_vary), (&wasm_type, &vary));

    let (encoding, seen_vary, kind, body) = fetch("wasm/myq-topup_bg.wasm", None).await;
    assert_eq!((encoding, body.as_str()), (None, "raw wasm"));
    assert_eq!((&kind, &seen_vary), (&wasm_type, &vary));

    let (encoding, _, _, body) = fetch("favicon.png", Some("gzip, br")).await;
    assert_eq!((encoding, body.as_str()), (None, "png"));
}
