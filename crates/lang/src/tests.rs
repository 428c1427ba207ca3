//! Cases we wrote: one line each, the text and the language it must get.

use super::*;

fn check(cases: &[(&str, Option<&str>, Option<&str>)]) {
    let mut failures = Vec::new();
    for (text, declared, want) in cases {
        let got = detect(text, *declared).map(|d| d.lang);
        if got != *want {
            failures.push(format!(
                "{text:?} (declared {declared:?}): got {got:?}, want {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn running_text_is_told_by_its_words() {
    check(&[
        ("The foreign ministers met in Geneva on Friday and said that the talks had been useful.", None, Some("en")),
        ("Die Außenminister trafen sich am Freitag in Genf und sagten, dass die Gespräche nützlich gewesen seien.", None, Some("de")),
        ("Les ministres des Affaires étrangères se sont rencontrés vendredi à Genève et ont dit que les discussions étaient utiles.", None, Some("fr")),
        ("Los ministros de Exteriores se reunieron el viernes en Ginebra y dijeron que las conversaciones fueron útiles para todos.", None, Some("es")),
        ("I ministri degli Esteri si sono incontrati venerdì a Ginevra e hanno detto che i colloqui sono stati utili per la pace.", None, Some("it")),
        ("Os ministros dos Negócios Estrangeiros reuniram-se na sexta-feira em Genebra e disseram que as conversas foram úteis para a paz.", None, Some("pt")),
        ("De ministers van Buitenlandse Zaken kwamen vrijdag in Genève bijeen en zeiden dat de gesprekken nuttig waren voor het land.", None, Some("nl")),
        ("Ministrowie spraw zagranicznych spotkali się w piątek w Genewie i powiedzieli, że rozmowy były bardzo pożyteczne.", None, Some("pl")),
        ("Министры иностранных дел встретились в пятницу в Женеве и заявили, что переговоры были полезными.", None, Some("ru")),
        ("外交部长们星期五在日内瓦会面，并表示会谈是有益的。", None, Some("zh")),
        ("外務大臣たちは金曜日にジュネーブで会談し、協議は有益だったと述べた。", None, Some("ja")),
    ]);
}

#[test]
fn a_declared_language_decides_only_what_the_text_cannot() {
    check(&[
        // Short titles: trigram guesses are unreliable, the feed's declaration wins.
        ("Giant Bombcast 566: Earthworm Jim = Duke Nukem", Some("en-us"), Some("en")),
        ("Taverncast 30: 2006 Christmas Special", Some("en-US"), Some("en")),
        // Clear text beats a wrong declaration.
        ("Die Außenminister trafen sich am Freitag in Genf und sagten, dass die Gespräche nützlich gewesen seien.", Some("en"), Some("de")),
        // A declaration in another script than the text's does not hold.
        ("ಬೆಂಗಳೂರು ನಗರದಲ್ಲಿ ಮಳೆ", Some("en"), Some("kn")),
        // Too short to tell and nothing declared.
        ("OK 12", None, None),
        ("", None, None),
        ("", Some("de-DE"), Some("de")),
    ]);
}

#[test]
fn declared_tags_normalise_to_iso_639_1() {
    let cases = [
        ("en-US", Some("en")),
        ("IT-it", Some("it")),
        ("pt_BR", Some("pt")),
        ("zh-Hans", Some("zh")),
        ("deu", Some("de")),
        ("no", Some("nb")),
        ("xx", None),
        ("", None),
    ];
    for (tag, want) in cases {
        assert_eq!(iso_639_1(tag), want, "{tag}");
    }
}

#[test]
fn every_function_word_list_is_clean() {
    for (lang, list) in FUNCTION_WORDS {
        let words: Vec<&str> = list.lines().collect();
        let mut sorted = words.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), words.len(), "{lang}: a word is listed twice");
        for word in words {
            assert!(
                !word.is_empty() && word == word.trim() && word == word.to_lowercase(),
                "{lang}: {word:?} must be one lowercase word"
            );
            assert!(word.len() <= MAX_WORD_BYTES, "{lang}: {word:?} is too long");
        }
    }
}

#[test]
fn never_panics_on_any_cut_of_multibyte_text() {
    let text = "Größe 外交部长 ಬೆಂಗಳೂರು ".repeat(100);
    for end in (0..text.len())
        .filter(|&i| text.is_char_boundary(i))
        .step_by(7)
    {
        let _ = detect(&text[..end], Some("de"));
    }
}

#[test]
fn plain_ascii_reads_the_words_the_general_scan_reads() {
    // A dash is no letter, so appending one sends the same words through the scan that
    // handles any text; the decision must not change.
    let texts = [
        "The foreign ministers met in Geneva on Friday and said that the talks had been useful.",
        "Shr 34 cts vs 1.19 dlrs\nNet 1,234,000 vs 2,345,000\nRevs 12.3 mln vs 11.2 mln\nNOTE: the company said",
        "De ministers van Buitenlandse Zaken kwamen vrijdag in Genf bijeen en zeiden dat het nuttig was.",
        "Los ministros se reunieron el viernes y dijeron que las conversaciones fueron utiles para todos",
        "IN THE UNITED STATES AND IN THE EUROPEAN UNION THE DATA WERE OF NO USE",
        "aVeryLongWordThatIsLongerThanAnyFunctionWordEverListed and the of",
        "",
        "12 34",
    ];
    for text in texts {
        let general = format!("{text} \u{2014}");
        assert!(!general.is_ascii());
        assert_eq!(
            by_function_words(text),
            by_function_words(&general),
            "{text:?}"
        );
    }
}
