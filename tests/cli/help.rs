//! Help texts, completions and the man page come from the clap definitions.

use crate::support::tiering;

#[test]
fn help_texts_are_stable() {
    for args in [
        vec!["--help"],
        vec!["score", "--help"],
        vec!["check", "--help"],
        vec!["report", "--help"],
    ] {
        let output = tiering()
            .args(&args)
            .env("COLUMNS", "100")
            .output()
            .unwrap();
        assert!(output.status.success());
        let name = format!("help_{}", args.join("_").replace("--", ""));
        insta::assert_snapshot!(name, String::from_utf8(output.stdout).unwrap());
    }
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = tiering().args(["completions", shell]).output().unwrap();
        assert!(output.status.success());
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("score"),
            "{shell}"
        );
    }
    let man = tiering().arg("man").output().unwrap();
    let text = String::from_utf8(man.stdout).unwrap();
    assert!(text.contains(".TH tiering"), "{text}");
}
