use super::*;
use serde_json::json;

fn row() -> Value {
    json!({
        "ID": "65c3dba0d272",
        "Names": "web",
        "Labels": {"a": "b", "tier": "front"},
        "Ports": ["80/tcp", "53/udp"],
        "Size": 1234,
        "Up": true,
        "Nothing": null,
    })
}

fn render(t: &str) -> String {
    Template::parse(t).unwrap().render(&row()).unwrap()
}

#[test]
fn fields_and_text() {
    assert_eq!(render("{{.ID}}"), "65c3dba0d272");
    assert_eq!(render("id={{ .ID }}\t{{.Names}}!"), "id=65c3dba0d272\tweb!");
    assert_eq!(render("{{.Labels.tier}}"), "front");
    assert_eq!(render("[{{.Labels.missing}}]"), "[<no value>]");
    assert_eq!(render("{{.Size}} {{.Up}} [{{.Nothing}}]"), "1234 true []");
    assert_eq!(render("{{.Ports}}"), "[80/tcp 53/udp]");
    assert_eq!(render("{{.Labels}}"), "map[a:b tier:front]");
    assert_eq!(render("no actions"), "no actions");
}

#[test]
fn json_forms() {
    assert_eq!(render("{{json .Labels}}"), r#"{"a":"b","tier":"front"}"#);
    assert_eq!(render("{{.ID | json}}"), r#""65c3dba0d272""#);
    let whole: Value = serde_json::from_str(&render("{{json .}}")).unwrap();
    assert_eq!(whole, row());
}

#[test]
fn functions() {
    assert_eq!(render("{{upper .Names}}"), "WEB");
    assert_eq!(render("{{.Names | upper | lower}}"), "web");
    assert_eq!(render("{{title \"hello world\"}}"), "Hello World");
    assert_eq!(render("{{join .Ports \", \"}}"), "80/tcp, 53/udp");
    assert_eq!(render("{{truncate .ID 4}}"), "65c3");
    assert_eq!(render("{{len .Ports}}"), "2");
    assert_eq!(
        render("{{printf \"%-5s|%d|%q%%\" .Names .Size .ID}}"),
        "web  |1234|\"65c3dba0d272\"%"
    );
    assert_eq!(render("{{printf `%5s` .Names}}"), "  web");
}

#[test]
fn trim_markers() {
    assert_eq!(render("a   {{- .Names -}}   b"), "awebb");
    assert_eq!(render("a {{.Names -}}\n b"), "a webb");
}

#[test]
fn headers() {
    let mut t = Template::parse("{{.ID}} x {{.Labels.tier | json}}").unwrap();
    t.spaces_to_tabs();
    let h = t
        .render_header(&|path: &[String]| path.last().unwrap().to_uppercase())
        .unwrap();
    assert_eq!(h, "ID\tx\t\"TIER\"");
}

#[test]
fn unknown_fields_are_errors_naming_the_field() {
    let e = Template::parse("{{.Nope}}")
        .unwrap()
        .render(&row())
        .unwrap_err()
        .to_string();
    assert!(e.contains("Nope") && e.contains("valid fields"), "{e}");
    let e = Template::parse("{{.Names.x}}")
        .unwrap()
        .render(&row())
        .unwrap_err()
        .to_string();
    assert!(e.contains("can't evaluate field x in type string"), "{e}");
}

#[test]
fn parse_errors() {
    for (bad, what) in [
        ("{{.ID", "unclosed"),
        ("{{}}", "missing value for command"),
        ("{{range .}}x", "unexpected EOF"),
        ("{{if .Up}}", "unexpected EOF"),
        ("{{end}}", "unexpected {{end}}"),
        ("{{bogus .ID}}", "function \"bogus\" not defined"),
        ("{{| .ID}}", "unexpected \"|\" in command"),
        ("{{\"abc}}", "unterminated quoted string"),
        ("{{$x}}", "undefined variable \"$x\""),
        ("{{.a..b}}", "unexpected <.> in operand"),
        ("{{.a-b}}", "bad character U+002D '-'"),
        ("{{template \"x\"}}", "not supported"),
    ] {
        let e = Template::parse(bad).unwrap_err().to_string();
        assert!(e.contains(what), "{bad}: {e}");
    }
}

#[test]
fn printf_precision_and_star_as_go() {
    // Checked against podman 4.3.1's output.
    assert_eq!(
        render("{{printf \"%.3s|%-8.2s|\" .ID .ID}}"),
        "65c|65      |"
    );
    assert_eq!(
        render("{{printf \"%*s|%-*s|\" 5 .Names 4 .Names}}"),
        "  web|web |"
    );
    assert_eq!(render("{{printf \"%*s|\" -5 .Names}}"), "web  |");
    assert_eq!(render("{{printf \"%.*s|\" 1 .Names}}"), "w|");
    assert_eq!(render("{{printf \"%.5d|%.q\" .Size .Names}}"), "01234|\"\"");
    assert_eq!(render("{{printf \"%.0d|%3.1s|\" -7 .Names}}"), "-7|  w|");
}

#[test]
fn printf_refuses_widths_and_precisions_past_go_limit() {
    // podman prints `%!(NOVERB)` and drops the rest of the format when
    // a width or precision has more digits than Go accepts; the unused
    // arguments follow as `%!(EXTRA ...)` (checked against podman 4.3.1).
    assert_eq!(
        render("{{printf \"%99999999999s|%s\" .ID .ID}}"),
        "%!(NOVERB)%!(EXTRA string=65c3dba0d272, string=65c3dba0d272)"
    );
    assert_eq!(
        render("{{printf \"a%.99999999999s|\" .ID}}"),
        "a%!(NOVERB)%!(EXTRA string=65c3dba0d272)"
    );
    let digits = "9".repeat(5000);
    assert_eq!(
        render(&format!("{{{{printf \"%{digits}d\" .Size}}}}")),
        "%!(NOVERB)%!(EXTRA int=1234)"
    );
    // From an argument, too large is `%!(BADWIDTH)`/`%!(BADPREC)` and the
    // verb goes on without it.
    assert_eq!(
        render("{{printf \"%*s|\" 99999999 .Names}}"),
        "%!(BADWIDTH)web|"
    );
    assert_eq!(render("{{printf \"%.*s|\" -1 .Names}}"), "%!(BADPREC)web|");
    assert_eq!(
        render("{{printf \"%.*s|\" 99999999999 .Names}}"),
        "%!(BADPREC)web|"
    );
    assert_eq!(
        render("{{printf \"%*s|\" .Names .Names}}"),
        "%!(BADWIDTH)web|"
    );
    assert_eq!(render("{{printf \"x%\" }}"), "x%!(NOVERB)");
    // The largest width Go lets through still works.
    let wide = render("{{printf \"%9999999s\" .ID}}");
    assert_eq!(wide.len(), 9_999_999);
    assert!(wide.ends_with("65c3dba0d272"));
}

#[test]
fn one_execution_cannot_pass_the_output_limit() {
    let exec_err = |t: &str, row: &Value| match Template::parse(t).unwrap().render(row) {
        Ok(out) => panic!("{t}: rendered {} bytes", out.len()),
        Err(e) => e.to_string(),
    };
    // Seven of Go's largest widths in one printf, in several actions,
    // and through a pipeline.
    let seven = "%9999999s".repeat(7);
    let args = " .ID".repeat(7);
    let e = exec_err(&format!("{{{{printf \"{seven}\"{args}}}}}"), &row());
    assert!(e.contains("limit of 64 MiB"), "{e}");
    let e = exec_err(&"{{printf \"%9999999s\" .ID}}".repeat(7), &row());
    assert!(e.contains("limit of 64 MiB"), "{e}");
    let grow = " | printf \"%9999999s%s\" 1".repeat(6);
    let e = exec_err(&format!("{{{{printf \"%9999999s\" .ID{grow}}}}}"), &row());
    assert!(e.contains("limit"), "{e}");
    // A join whose separators alone pass the limit fails before it is built.
    let sep = "-".repeat(1000);
    let list = json!({"L": vec![""; 100_000]});
    let e = exec_err(&format!("{{{{join .L \"{sep}\"}}}}"), &list);
    assert!(e.contains("limit") && e.contains("join"), "{e}");
    // Under the limit, the same shapes work.
    let ok = Template::parse(&"{{printf \"%9999999s\" .ID}}".repeat(6))
        .unwrap()
        .render(&row())
        .unwrap();
    assert_eq!(ok.len(), 6 * 9_999_999);
}

#[test]
fn exec_errors() {
    for (bad, what) in [
        ("{{join .Names \",\"}}", "expected []string; got string"),
        (
            "{{upper .ID .Names}}",
            "wrong number of args for upper: want 1 got 2",
        ),
        (
            "{{.ID .Names}}",
            "ID has arguments but cannot be invoked as function",
        ),
        (
            "{{json upper .ID}}",
            "wrong number of args for json: want 1 got 2",
        ),
        (
            "{{json (upper)}}",
            "wrong number of args for upper: want 1 got 0",
        ),
        ("{{.Labels.a 1}}", "a is not a method but has arguments"),
    ] {
        let e = Template::parse(bad)
            .unwrap()
            .render(&row())
            .unwrap_err()
            .to_string();
        assert!(e.contains(what), "{bad}: {e}");
    }
}

#[test]
fn headers_follow_range_and_with() {
    let t = Template::parse(
        "{{range .Mounts}}{{.Source}}{{end}} {{with .State}}{{.Status}}{{end}} {{if .Up}}{{.Names}}{{end}} {{join .Ports \",\"}}",
    )
    .unwrap();
    let h = t
        .render_header(&|path: &[String]| path.join(".").to_uppercase())
        .unwrap();
    assert_eq!(h, "MOUNTS.SOURCE STATE.STATUS NAMES PORTS");
}

#[test]
fn table_spaces_become_tabs_inside_controls() {
    let mut t = Template::parse("{{range .Ports}}{{.}} x{{end}} {{if .Up}}a b{{end}}").unwrap();
    t.spaces_to_tabs();
    assert_eq!(t.render(&row()).unwrap(), "80/tcp\tx53/udp\tx\ta\tb");
}

#[test]
fn nesting_is_limited() {
    let deep = format!("{}1{}", "{{if 1}}".repeat(150), "{{end}}".repeat(150));
    let e = Template::parse(&deep).unwrap_err().to_string();
    assert!(e.contains("nesting deeper than 100"), "{e}");
    let parens = format!("{{{{{}1{}}}}}", "(".repeat(150), ")".repeat(150));
    let e = Template::parse(&parens).unwrap_err().to_string();
    assert!(e.contains("nesting deeper than 100"), "{e}");
    let ok = format!("{}1{}", "{{if 1}}".repeat(90), "{{end}}".repeat(90));
    assert_eq!(Template::parse(&ok).unwrap().render(&row()).unwrap(), "1");
}

#[test]
fn loops_are_limited_in_steps() {
    let list: Vec<u32> = (0..1000).collect();
    let row = json!({ "L": list });
    // 10^9 turns of an empty body.
    let t = Template::parse("{{range .L}}{{range $.L}}{{range $.L}}{{end}}{{end}}{{end}}").unwrap();
    let e = t.render(&row).unwrap_err().to_string();
    assert!(e.contains("limit of 20000000 steps"), "{e}");
    // A million turns are fine.
    let t = Template::parse("{{range .L}}{{range $.L}}{{end}}{{end}}x").unwrap();
    assert_eq!(t.render(&row).unwrap(), "x");
}

#[test]
fn errors_name_the_action_and_its_position() {
    let e = Template::parse("a\nb {{range .Ports}}{{.Nope}}{{end}}")
        .unwrap()
        .render(&row())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("executing \"{{.Nope}}\" at line 2, column 19")
            && e.contains("can't evaluate field Nope in type string"),
        "{e}"
    );
    let e = Template::parse("x\n  {{.ID | }}{{if}}")
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2, column 17: missing value for if"), "{e}");
}

#[test]
fn truncate_cuts_bytes_but_never_inside_a_character() {
    // Go cuts "héllo" after 2 bytes, inside the é; berth backs off to "h".
    assert_eq!(render("{{truncate \"héllo\" 2}}"), "h");
    assert_eq!(render("{{truncate \"héllo\" 3}}"), "hé");
}
