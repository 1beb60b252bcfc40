//! `--format` templates: parsing never panics, and a template that parses
//! renders a fixed row, its table header and a row of another shape with a
//! result or a clear error, never an allocation past the output limit
//! (libFuzzer's `-malloc_limit_mb` catches one).
#![no_main]

use berth_cli::output::{parse_format, OutputFormat, Template};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn rows() -> [Value; 3] {
    [
        json!({
            "ID": "65c3dba0d272b1f4",
            "Names": "web",
            "Labels": {"a": "b", "tier": "front", "": ""},
            "Ports": ["80/tcp", "53/udp", ""],
            "Size": 1234,
            "Negative": -7,
            "Float": 1.5,
            "Up": true,
            "Nothing": null,
            "Nested": {"List": [[1, 2], {"k": "v"}], "Deep": {"Deeper": {"Deepest": "x"}}},
            "Unicode": "ß ǅ ﬁ é 日本",
        }),
        json!(["not", "a", "map"]),
        Value::Null,
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(mut t) = Template::parse(text) {
        for row in rows() {
            check(t.render(&row));
        }
        check(t.render_header(&|path: &[String]| path.join(".")));
        t.spaces_to_tabs();
        check(t.render(&rows()[0]));
    }
    match parse_format("--format", Some(text)) {
        Ok(OutputFormat::Template(t) | OutputFormat::Table(t)) => check(t.render(&rows()[0])),
        Ok(_) | Err(_) => {}
    }
});

fn check(out: Result<String, berth_cli::output::TemplateError>) {
    if let Ok(s) = out {
        assert!(s.len() <= berth_cli::output::template::MAX_OUTPUT + (1 << 20));
    }
}
