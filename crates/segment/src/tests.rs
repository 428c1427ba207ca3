//! Data-driven cases for sentences and tokens: one line per case, in our own words.

use super::*;

/// Asserts the sentences of `text`.
#[track_caller]
fn check(text: &str, want: &[&str]) {
    let got: Vec<_> = Segmenter::new()
        .sentences(text)
        .iter()
        .map(|s| s.slice(text))
        .collect();
    assert_eq!(got, want, "input: {text:?}");
}

/// Asserts the tokens of `text`, all sentences together.
#[track_caller]
fn tokens(text: &str, want: &[&str]) {
    let a = Segmenter::new().analyse(text);
    let got: Vec<_> = a.tokens.iter().map(|t| t.span.slice(text)).collect();
    assert_eq!(got, want, "input: {text:?}");
}

#[test]
fn terminal_punctuation() {
    check(
        "The vote passed. Critics objected.",
        &["The vote passed.", "Critics objected."],
    );
    check("Who won? Nobody knows.", &["Who won?", "Nobody knows."]);
    check("We did it! Fans cheered.", &["We did it!", "Fans cheered."]);
    check("Really?! Yes, really.", &["Really?!", "Yes, really."]);
    check("Stop!!! Please stop.", &["Stop!!!", "Please stop."]);
    check("Is that so?? Maybe.", &["Is that so??", "Maybe."]);
    check("No final punctuation", &["No final punctuation"]);
    check("  ", &[]);
    check("", &[]);
}

#[test]
fn titles_and_abbreviations() {
    check(
        "Mr. Brown met Dr. Green in St. Paul.",
        &["Mr. Brown met Dr. Green in St. Paul."],
    );
    check(
        "Gen. Ham spoke to Sen. Reid on Friday.",
        &["Gen. Ham spoke to Sen. Reid on Friday."],
    );
    check(
        "Shares of Acme Inc. rose. The index fell.",
        &["Shares of Acme Inc. rose.", "The index fell."],
    );
    check(
        "He joined Acme Inc. Chief Executive Ann Lee said.",
        &["He joined Acme Inc. Chief Executive Ann Lee said."],
    );
    check(
        "He sold it to Acme Corp. It paid cash.",
        &["He sold it to Acme Corp.", "It paid cash."],
    );
    check(
        "Fruit, e.g. apples, i.e. food, etc. are sold.",
        &["Fruit, e.g. apples, i.e. food, etc. are sold."],
    );
    check(
        "It happened on Jan. 5 in Springfield.",
        &["It happened on Jan. 5 in Springfield."],
    );
    check(
        "Prices rose in Sept. The index fell.",
        &["Prices rose in Sept.", "The index fell."],
    );
    check(
        "She lives in Springfield, Ill. The town is small.",
        &["She lives in Springfield, Ill.", "The town is small."],
    );
    check(
        "He felt ill. The doctor came.",
        &["He felt ill.", "The doctor came."],
    );
    check(
        "See p. 12 and pp. 30-31 of vol. 2 for details.",
        &["See p. 12 and pp. 30-31 of vol. 2 for details."],
    );
    check(
        "The case Roe v. Wade was cited.",
        &["The case Roe v. Wade was cited."],
    );
    check(
        "He is ranked No. 1 in the world.",
        &["He is ranked No. 1 in the world."],
    );
}

#[test]
fn dotted_abbreviations() {
    check(
        "The U.S. Treasury sold bonds.",
        &["The U.S. Treasury sold bonds."],
    );
    check(
        "Troops left the U.S. They went home.",
        &["Troops left the U.S.", "They went home."],
    );
    check(
        "The U.N. says so. The U.K. agrees.",
        &["The U.N. says so.", "The U.K. agrees."],
    );
    check(
        "She earned a Ph.D. in physics.",
        &["She earned a Ph.D. in physics."],
    );
    check(
        "Trade with the U.S. rose 5 percent.",
        &["Trade with the U.S. rose 5 percent."],
    );
}

#[test]
fn initials() {
    check(
        "J. R. R. Tolkien wrote it.",
        &["J. R. R. Tolkien wrote it."],
    );
    check(
        "John F. Kennedy was shot in 1963.",
        &["John F. Kennedy was shot in 1963."],
    );
    check(
        "The winner was you and I. Then we left.",
        &["The winner was you and I.", "Then we left."],
    );
    check(
        "They took vitamin C. It helped.",
        &["They took vitamin C.", "It helped."],
    );
    check("Henry I. Miller spoke.", &["Henry I. Miller spoke."]);
}

#[test]
fn numbers_times_money() {
    check(
        "Growth was 3.5 percent. It slowed.",
        &["Growth was 3.5 percent.", "It slowed."],
    );
    check("It costs $1,250.75 today.", &["It costs $1,250.75 today."]);
    check(
        "The bill was $40.50. He paid it.",
        &["The bill was $40.50.", "He paid it."],
    );
    check(
        "Sales hit 1.2 bln in 2019. 2020 was worse.",
        &["Sales hit 1.2 bln in 2019.", "2020 was worse."],
    );
    check(
        "We met at 9 a.m. on Monday.",
        &["We met at 9 a.m. on Monday."],
    );
    check(
        "We met at 9 a.m. Monday in Rome.",
        &["We met at 9 a.m. Monday in Rome."],
    );
    check(
        "The talks ended at 11 p.m. The parties left.",
        &["The talks ended at 11 p.m.", "The parties left."],
    );
    check(
        "By 7 a.m. Ms. Cole was at work.",
        &["By 7 a.m. Ms. Cole was at work."],
    );
    check(
        "Trading opens at 9:30 a.m. EST daily.",
        &["Trading opens at 9:30 a.m. EST daily."],
    );
    check(
        "It rose 4.5%. Bonds fell.",
        &["It rose 4.5%.", "Bonds fell."],
    );
}

#[test]
fn ellipses() {
    check(
        "I thought... well, never mind.",
        &["I thought... well, never mind."],
    );
    check(
        "He paused... Then he spoke.",
        &["He paused...", "Then he spoke."],
    );
    check(
        "It was over.... Nobody cared.",
        &["It was over....", "Nobody cared."],
    );
    check(
        "And then … the lights went out.",
        &["And then … the lights went out."],
    );
    check(
        "Wait for it . . . nothing happened.",
        &["Wait for it . . . nothing happened."],
    );
    check(
        "The end came . . . . Then silence.",
        &["The end came . . . .", "Then silence."],
    );
    check(
        "It was lost. . . . The search went on.",
        &["It was lost.", ". . . The search went on."],
    );
    check(
        "The report [...] was leaked.",
        &["The report [...] was leaked."],
    );
}

#[test]
fn quotes_and_brackets() {
    check(
        "“We will act today.” Blinken said.",
        &["“We will act today.” Blinken said."],
    );
    check(
        "“It is done.” Secretary Mike Pompeo told reporters.",
        &["“It is done.” Secretary Mike Pompeo told reporters."],
    );
    check(
        "He said, “It is over.” Then he left.",
        &["He said, “It is over.”", "Then he left."],
    );
    check("\"Go home.\" she said.", &["\"Go home.\" she said."]);
    check(
        "\"Go home!\" the crowd chanted.",
        &["\"Go home!\" the crowd chanted."],
    );
    check(
        "'Enough.' he said quietly.",
        &["'Enough.' he said quietly."],
    );
    check(
        "\"I quit.\" She walked out.",
        &["\"I quit.\"", "She walked out."],
    );
    check(
        "\"We won.\" He said the team played well.",
        &["\"We won.\"", "He said the team played well."],
    );
    check(
        "The plan (it was late.) failed.",
        &["The plan (it was late.) failed."],
    );
    check(
        "He left. (He was tired.) We stayed.",
        &["He left.", "(He was tired.)", "We stayed."],
    );
    check(
        "Stocks fell. \"Sell now,\" one trader said.",
        &["Stocks fell.", "\"Sell now,\" one trader said."],
    );
}

#[test]
fn lists() {
    check(
        "1. Buy milk 2. Sell eggs 3. Go home",
        &["1. Buy milk", "2. Sell eggs", "3. Go home"],
    );
    check(
        "1) Open the box 2) Read it",
        &["1) Open the box", "2) Read it"],
    );
    check(
        "1.) Alpha item. 2.) Beta item.",
        &["1.) Alpha item.", "2.) Beta item."],
    );
    check(
        "a. First point b. Second point",
        &["a. First point", "b. Second point"],
    );
    check(
        "• Rates rose • Bonds fell",
        &["• Rates rose", "• Bonds fell"],
    );
    check(
        "Key facts:\n- Rates rose\n- Bonds fell",
        &["Key facts:", "- Rates rose", "- Bonds fell"],
    );
    check(
        "Results:\n1. Smith 10\n2. Jones 9",
        &["Results:", "1. Smith 10", "2. Jones 9"],
    );
}

#[test]
fn urls_and_emails() {
    check(
        "Write to news@example.org. We read it all.",
        &["Write to news@example.org.", "We read it all."],
    );
    check(
        "Visit https://example.com/a.b?c=1. It is free.",
        &["Visit https://example.com/a.b?c=1.", "It is free."],
    );
    check(
        "See www.example.co.uk for more.",
        &["See www.example.co.uk for more."],
    );
    check(
        "The site Example.com grew fast.",
        &["The site Example.com grew fast."],
    );
}

#[test]
fn paragraphs_headlines_datelines() {
    check(
        "Markets rally\n\nStocks rose on Monday.",
        &["Markets rally", "Stocks rose on Monday."],
    );
    check("Dr.\n\nSmith arrived.", &["Dr.", "Smith arrived."]);
    check(
        "Storm hits coast\nThousands lost power on Sunday.",
        &["Storm hits coast", "Thousands lost power on Sunday."],
    );
    check(
        "GENEVA (Reuters) - The talks failed. Both sides left.",
        &["GENEVA (Reuters) - The talks failed.", "Both sides left."],
    );
    check(
        "GENEVA (Reuters) -\nThe talks failed.",
        &["GENEVA (Reuters) -\nThe talks failed."],
    );
    check(
        "LONDON, March 3 - Oil prices rose.",
        &["LONDON, March 3 - Oil prices rose."],
    );
    check(
        "The price of oil rose sharply in\nearly trading on Monday.",
        &["The price of oil rose sharply in\nearly trading on Monday."],
    );
    check(
        "Showers continued throughout the week in\nthe zone, easing the drought since early\nJanuary and lifting prospects, although\nhumidity stayed low.\n    The dry spell means a late crop.",
        &[
            "Showers continued throughout the week in\nthe zone, easing the drought since early\nJanuary and lifting prospects, although\nhumidity stayed low.",
            "The dry spell means a late crop.",
        ],
    );
    check(
        "Para one ends here\n\n\nPara two",
        &["Para one ends here", "Para two"],
    );
    check("Line one\r\n\r\nLine two", &["Line one", "Line two"]);
}

#[test]
fn unicode_punctuation() {
    check(
        "今天下雨。明天晴天！真的吗？",
        &["今天下雨。", "明天晴天！", "真的吗？"],
    );
    check("Wait… What happened?", &["Wait…", "What happened?"]);
    check(
        "She said “no.” Then she left.",
        &["She said “no.”", "Then she left."],
    );
    check("Ça va. Très bien.", &["Ça va.", "Très bien."]);
    check("Really‽ No.", &["Really‽", "No."]);
}

#[test]
fn exclamations_inside_names() {
    check(
        "She works at Yahoo! in sales.",
        &["She works at Yahoo! in sales."],
    );
    check("\"Why?\" she asked.", &["\"Why?\" she asked."]);
}

#[test]
fn tokens_follow_conll() {
    tokens(
        "Russia's troops don't stop.",
        &["Russia", "'s", "troops", "do", "n't", "stop", "."],
    );
    tokens(
        "It's 3.5 or 1,000.50 dollars.",
        &["It", "'s", "3.5", "or", "1,000.50", "dollars", "."],
    );
    tokens(
        "The Bosnian-Serb and U.S.-based firms.",
        &["The", "Bosnian-Serb", "and", "U.S.-based", "firms", "."],
    );
    tokens(
        "Mr. Smith of Acme Inc. left the U.S.",
        &["Mr.", "Smith", "of", "Acme", "Inc.", "left", "the", "U.S."],
    );
    tokens(
        "I can't, won't, we'll, they're, I'm, I'd, we've.",
        &[
            "I", "ca", "n't", ",", "wo", "n't", ",", "we", "'ll", ",", "they", "'re", ",", "I",
            "'m", ",", "I", "'d", ",", "we", "'ve", ".",
        ],
    );
    tokens(
        "Mail jane.doe@example.com or see https://x.org/a_b.html.",
        &[
            "Mail",
            "jane.doe@example.com",
            "or",
            "see",
            "https://x.org/a_b.html",
            ".",
        ],
    );
    tokens(
        "“Yes” — he said (twice).",
        &["“", "Yes", "”", "—", "he", "said", "(", "twice", ")", "."],
    );
    tokens(
        "O'Brien's players' fans.",
        &["O'Brien", "'s", "players", "'", "fans", "."],
    );
    tokens("one’s life didn’t", &["one", "’s", "life", "did", "n’t"]);
    tokens(
        "$1.5 billion, 20% and 3-1/2 at 10:30.",
        &[
            "$", "1.5", "billion", ",", "20", "%", "and", "3-1/2", "at", "10:30", ".",
        ],
    );
    tokens("1. Michael Schumacher", &["1.", "Michael", "Schumacher"]);
    tokens("JFK Jr.'s book...", &["JFK", "Jr.", "'s", "book", "..."]);
    tokens("S&P and AT&T -- up", &["S&P", "and", "AT&T", "--", "up"]);
    tokens("Wait?! No", &["Wait", "?!", "No"]);
    tokens("Café naïve", &["Café", "naïve"]);
}
