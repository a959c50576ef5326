use std::io::Read;

fn pulldown(tex: &str, display: bool) -> Result<String, String> {
    use pulldown_latex::{Parser, RenderConfig, Storage, config::DisplayMode, push_mathml};
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(tex, &storage).collect();
    if let Some(Err(e)) = events.iter().find(|e| e.is_err()) {
        return Err(e.to_string());
    }
    let mut out = String::new();
    let config = RenderConfig {
        display_mode: if display { DisplayMode::Block } else { DisplayMode::Inline },
        xml: true,
        ..RenderConfig::default()
    };
    push_mathml(&mut out, events.into_iter(), config).map_err(|e| e.to_string())?;
    Ok(out)
}

fn l2m(tex: &str, display: bool) -> Result<String, String> {
    use latex2mathml::{DisplayStyle, latex_to_mathml};
    latex_to_mathml(tex, if display { DisplayStyle::Block } else { DisplayStyle::Inline })
        .map_err(|e| e.to_string())
}

fn mathcore(tex: &str, display: bool) -> Result<String, String> {
    use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};
    let config = MathCoreConfig { xml_namespace: true, ..Default::default() };
    let c = LatexToMathML::new(config).map_err(|e| format!("{:?}", e.0))?;
    c.convert_with_local_state(tex, if display { MathDisplay::Block } else { MathDisplay::Inline })
        .map(|r| r.mathml)
        .map_err(|e| format!("{e:?}"))
}

fn mathcore04(tex: &str, display: bool) -> Result<String, String> {
    use math_core_04::{LatexToMathML, MathCoreConfig, MathDisplay};
    let config = MathCoreConfig { xml_namespace: true, ..Default::default() };
    let c = LatexToMathML::new(config).map_err(|e| format!("{:?}", e.0))?;
    c.convert_with_local_counter(tex, if display { MathDisplay::Block } else { MathDisplay::Inline })
        .map_err(|e| format!("{e:?}"))
}

fn main() {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).unwrap();
    let formulas: Vec<serde_json::Value> = serde_json::from_str(&input).unwrap();
    let mut out = Vec::new();
    for f in formulas {
        let tex = f["tex"].as_str().unwrap();
        let mut row = serde_json::Map::new();
        for (name, conv) in [("pulldown-latex", pulldown as fn(&str, bool) -> Result<String, String>), ("latex2mathml", l2m), ("math-core", mathcore), ("math-core-0.4", mathcore04)] {
            let t = std::time::Instant::now();
            let r = std::panic::catch_unwind(|| conv(tex, true));
            let v = match r {
                Ok(Ok(s)) => serde_json::json!({"ok": s, "us": t.elapsed().as_micros() as u64}),
                Ok(Err(e)) => serde_json::json!({"err": e}),
                Err(_) => serde_json::json!({"err": "panic"}),
            };
            row.insert(name.into(), v);
        }
        out.push(serde_json::Value::Object(row));
    }
    println!("{}", serde_json::to_string(&out).unwrap());
}
