//! One case per attribution pattern, on short articles written for these tests. Entities are
//! marked `[words](LABEL)`; sentences and tokens come from the real segmenter and clusters
//! from the real resolver, as in the pipeline.

use article::{parse_marked, Analysis};
use resolve::Resolver;
use segment::Segmenter;

use crate::{Cues, QuoteFinder};

/// Text and analysis of a marked article, resolved, with quotes found under `cues`.
fn analyse_with(source: &str, cues: Cues) -> (String, Analysis) {
    let (text, entities) = parse_marked(source);
    let mut analysis = Segmenter::default().analyse(&text);
    analysis.entities = entities;
    Resolver::new().resolve(&text, 0..0, &mut analysis);
    QuoteFinder::new().find_with(&text, &mut analysis, cues);
    (text, analysis)
}

/// Text and analysis of a marked English article.
fn analyse(source: &str) -> (String, Analysis) {
    analyse_with(source, Cues::English)
}

/// What a test expects of one quote: its first words (up to 20 characters), the speaker as
/// written, the speaker's canonical name, the cue.
type Expected<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// Each quote found in `source`, compared with `want`.
fn check(source: &str, want: &[Expected<'_>]) {
    check_with(source, Cues::English, want);
}

/// Each quote found in `source` under `cues`, compared with `want`.
fn check_with(source: &str, cues: Cues, want: &[Expected<'_>]) {
    let (text, analysis) = analyse_with(source, cues);
    let got: Vec<_> = analysis
        .quotes
        .iter()
        .map(|q| {
            let quoted: String = q.span.slice(&text).chars().take(20).collect();
            (
                quoted,
                q.speaker.map(|s| s.slice(&text)),
                q.speaker_cluster
                    .map(|c| analysis.clusters[c].canonical.as_str()),
                q.cue.map(|s| s.slice(&text)),
            )
        })
        .collect();
    let want: Vec<_> = want
        .iter()
        .map(|(q, s, c, cue)| (q.chars().take(20).collect::<String>(), *s, *c, *cue))
        .collect();
    assert_eq!(got, want, "\n{text}");
}

#[test]
fn name_then_verb_after_the_quote() {
    check(
        "[Sergey Lavrov](PER) arrived.\n“We do not expect a breakthrough,” [Lavrov](PER) said.",
        &[(
            "We do not expect a b",
            Some("Lavrov"),
            Some("Sergey Lavrov"),
            Some("said"),
        )],
    );
}

#[test]
fn verb_then_name_or_description_after_the_quote() {
    check(
        "[Antony Blinken](PER) spoke.\n\"This is a critical moment,\" said [Blinken](PER).\n\
         “We are committed to that path,” said the secretary, who arrived on Monday.",
        &[
            (
                "This is a critical m",
                Some("Blinken"),
                Some("Antony Blinken"),
                Some("said"),
            ),
            (
                "We are committed to ",
                Some("the secretary"),
                Some("Antony Blinken"),
                Some("said"),
            ),
        ],
    );
}

#[test]
fn title_and_name_before_the_verb() {
    check(
        "“Talks will go on,” Foreign Minister [Sergey Lavrov](PER) later told reporters.",
        &[(
            "Talks will go on,",
            Some("Sergey Lavrov"),
            Some("Sergey Lavrov"),
            Some("told"),
        )],
    );
}

#[test]
fn attribution_before_the_quote_with_colon_or_comma() {
    check(
        "[Blinken](PER) told reporters after the meeting: “We will respond in writing.”\n\
         In his statement, [Lavrov](PER) thanked [Blinken](PER) and his team, and said, \
         “We are very grateful to you for this proposal.”",
        &[
            (
                "We will respond in w",
                Some("Blinken"),
                Some("Blinken"),
                Some("told"),
            ),
            (
                "We are very grateful",
                Some("Lavrov"),
                Some("Lavrov"),
                Some("said"),
            ),
        ],
    );
}

#[test]
fn pronoun_speaker_refers_to_the_last_person() {
    check(
        "[Angela Merkel](PER) met [Macron](PER) later. [Merkel](PER) was cautious.\n\
         “Nothing is decided yet,” she said.",
        &[(
            "Nothing is decided y",
            Some("she"),
            Some("Angela Merkel"),
            Some("said"),
        )],
    );
}

#[test]
fn a_quote_over_two_paragraphs_is_one_and_keeps_its_speaker() {
    check(
        "[Lavrov](PER) said: “We expect concrete answers.\n\n“We expect them in writing.”\n\
         “And soon.” He left.",
        &[
            (
                "We expect concrete a",
                Some("Lavrov"),
                Some("Lavrov"),
                Some("said"),
            ),
            // The next paragraph's short quote has no cue of its own: it continues Lavrov.
            ("And soon.", Some("Lavrov"), Some("Lavrov"), None),
        ],
    );
}

#[test]
fn second_sentence_of_a_split_quote_continues_the_speaker() {
    check(
        "“This is a critical moment,” [Blinken](PER) said. “But I do hope that we can \
         test whether the path of diplomacy remains open.”",
        &[
            (
                "This is a critical m",
                Some("Blinken"),
                Some("Blinken"),
                Some("said"),
            ),
            (
                "But I do hope that w",
                Some("Blinken"),
                Some("Blinken"),
                None,
            ),
        ],
    );
}

#[test]
fn a_long_quote_may_close_without_punctuation() {
    check(
        "“All of us have had a chance to take stock of where we are” [Blinken](PER) said.",
        &[(
            "All of us have had a",
            Some("Blinken"),
            Some("Blinken"),
            Some("said"),
        )],
    );
}

#[test]
fn according_to_and_organisations() {
    check(
        "“Exports fell for the third month,” according to the [Commerce Department](ORG).\n\
         “Prices will rise,” [Shell](ORG) said in a statement.",
        &[
            (
                "Exports fell for the",
                Some("Commerce Department"),
                Some("Commerce Department"),
                Some("according to"),
            ),
            (
                "Prices will rise,",
                Some("Shell"),
                Some("Shell"),
                Some("said"),
            ),
        ],
    );
}

#[test]
fn scare_quotes_and_titles_are_not_quotes() {
    check(
        "The so-called “peace plan” was shown in “The Old Man and the Sea” by [Reuters](ORG).\n\
         A “very long unattributed sentence that reads like speech.”",
        &[("very long unattribut", None, None, None)],
    );
}

#[test]
fn another_person_between_stops_a_continuation() {
    check(
        "“We are ready,” [Lavrov](PER) said. The talks went on without [Blinken](PER). \
         “Nobody else was invited to these talks.”",
        &[
            (
                "We are ready,",
                Some("Lavrov"),
                Some("Lavrov"),
                Some("said"),
            ),
            ("Nobody else was invi", None, None, None),
        ],
    );
}

#[test]
fn a_pronoun_takes_a_person_of_its_gender() {
    check(
        "Judge [Maria Ortiz](PER) questioned the plan, which Governor [Tom Reed](PER) had \
         defended. “It will not stand,” she said.",
        &[(
            "It will not stand,",
            Some("she"),
            Some("Maria Ortiz"),
            Some("said"),
        )],
    );
    check(
        "[Mrs Maguire](PER) was the relative with whom [Giuseppe](PER) stayed.\n\
         “We were totally innocent,” she said.",
        &[(
            "We were totally inno",
            Some("she"),
            Some("Mrs Maguire"),
            Some("said"),
        )],
    );
}

#[test]
fn the_subject_beats_a_name_in_a_clause() {
    check(
        "[Ed Balls](PER), who worked for [Gordon Brown](PER), said the plan would work. He \
         also stressed the timing.\n“It will not be a big election issue,” he told a lunch.",
        &[(
            "It will not be a big",
            Some("he"),
            Some("Ed Balls"),
            Some("told"),
        )],
    );
    check(
        "[Dr Fox](PER) accused [Mr Blair](PER) of telling lies. “It is going to be fear and \
         smear,” he told reporters.",
        &[(
            "It is going to be fe",
            Some("he"),
            Some("Dr Fox"),
            Some("told"),
        )],
    );
}

#[test]
fn the_speaker_named_before_without_a_speech_verb() {
    check(
        "[Maria Ortiz](PER) sounded hopeful. “We will find a way through this.”\n\
         [Tom Reed](PER) shot back: “That is simply not true.”",
        &[
            (
                "We will find a way t",
                Some("Maria Ortiz"),
                Some("Maria Ortiz"),
                None,
            ),
            (
                "That is simply not t",
                Some("Tom Reed"),
                Some("Tom Reed"),
                None,
            ),
        ],
    );
}

#[test]
fn he_added_and_adding_before_the_quote() {
    check(
        "[Tom Reed](PER) spoke first. He added: “The vote is on Friday.”\n\
         [Reed](PER) said the vote would pass, adding “We have the numbers.”",
        &[
            (
                "The vote is on Frida",
                Some("He"),
                Some("Tom Reed"),
                Some("added"),
            ),
            (
                "We have the numbers.",
                Some("Reed"),
                Some("Tom Reed"),
                Some("adding"),
            ),
        ],
    );
}

#[test]
fn a_parenthetical_or_a_long_title_before_the_verb() {
    check(
        "“We will not back down,” Senate Majority Whip [Ann Lowe](PER) (R-TX) told reporters.\n\
         “Any partial plan would compromise it,” said its chairman, Sir [Anthony Greener](PER).",
        &[
            (
                "We will not back dow",
                Some("Ann Lowe"),
                Some("Ann Lowe"),
                Some("told"),
            ),
            (
                "Any partial plan wou",
                Some("Anthony Greener"),
                Some("Anthony Greener"),
                Some("said"),
            ),
        ],
    );
}

#[test]
fn an_unattributed_quote_in_an_exchange_is_the_reply() {
    check(
        "[Tom Reed](PER) asked: “Will you resign today?”\n\
         [Maria Ortiz](PER) replied: “No, I will not.”\n“Why not?”\n\
         “Because the voters elected me.”",
        &[
            (
                "Will you resign toda",
                Some("Tom Reed"),
                Some("Tom Reed"),
                Some("asked"),
            ),
            (
                "No, I will not.",
                Some("Maria Ortiz"),
                Some("Maria Ortiz"),
                Some("replied"),
            ),
            ("Why not?", Some("Tom Reed"), Some("Tom Reed"), None),
            (
                "Because the voters e",
                Some("Maria Ortiz"),
                Some("Maria Ortiz"),
                None,
            ),
        ],
    );
}

#[test]
fn partial_quotes_carry_only_the_speaker_of_their_sentence() {
    check(
        "The [Tories](ORG) dismissed the plan as “desperate”, while the [Liberal \
         Democrats](ORG) said it was misdirected.\n[Tony Blair](PER) said the families \
         deserved “to be completely and publicly exonerated”. [BP](ORG) called it a \
         “shared goal”.",
        &[(
            "to be completely and",
            Some("Tony Blair"),
            Some("Tony Blair"),
            Some("said"),
        )],
    );
}

#[test]
fn an_unnamed_source_is_a_speaker_without_a_cluster() {
    check(
        "“The talks are stuck,” said a person familiar with the talks.\n\
         “No deal is near,” a person close to the negotiators said.\n\
         “We will wait,” a [Downing Street](ORG) spokesman said.",
        &[
            (
                "The talks are stuck,",
                Some("a person familiar with the talks"),
                None,
                Some("said"),
            ),
            (
                "No deal is near,",
                Some("a person close to the negotiators"),
                None,
                Some("said"),
            ),
            (
                "We will wait,",
                Some("a Downing Street spokesman"),
                None,
                Some("said"),
            ),
        ],
    );
}

#[test]
fn other_languages_marks_are_found_and_left_unattributed() {
    let source = "[Merkel](PER) sagte: „Wir kommen morgen wieder.“ Il a dit : « On verra \
                  bien demain. » 他说：「我们明天再来。」";
    check_with(
        source,
        Cues::None,
        &[
            ("Wir kommen morgen wi", None, None, None),
            ("On verra bien demain", None, None, None),
            ("我们明天再来。", None, None, None),
        ],
    );
}

#[test]
fn other_languages_quotes_without_a_final_stop_are_found_by_their_clause() {
    // The attribution's comma outside the marks (German, French), a colon before them, the
    // particle と after them (Japanese): speech, though the words do not end a sentence.
    let source = "„Wir kommen“, sagte er. Sie sagte: „Das geht nicht“. « On verra bien », \
                  a-t-il dit. 首相は「明日来る」と述べた。";
    check_with(
        source,
        Cues::None,
        &[
            ("Wir kommen", None, None, None),
            ("Das geht nicht", None, None, None),
            ("On verra bien", None, None, None),
            ("明日来る", None, None, None),
        ],
    );
    // A title inside the sentence, a one-word label, a name introduced by という.
    check_with(
        "Er las „Die Zeit“, dann ging er. „Nein“, sagte sie. 「未来」という本を読んだ。",
        Cues::None,
        &[],
    );
}

#[test]
fn english_titles_after_a_full_stop_stay_out() {
    // The clause rule is for languages without cues: in English a two-word title opening a
    // sentence and followed by a comma is still no quotation.
    check(
        "The show ended. \"Peace Plan\", the paper's headline, was mocked. The \"new deal\", \
         which nobody read, failed.",
        &[],
    );
}

#[test]
fn no_marks_no_quotes() {
    let (_, analysis) = analyse("[Lavrov](PER) said nothing.");
    assert!(analysis.quotes.is_empty());
}

#[test]
fn hard_wrapped_wire_copy_reads_a_line_break_as_a_space() {
    // Reuters-21578: lines wrapped at a width, each paragraph opened by an indent. The
    // quotation and its attribution run over line breaks; the next paragraph, with no
    // attribution of its own, continues the same speaker.
    check(
        "Political analysts said the tax hurt [Yasuhiro Nakasone](PER).\n    \"Nakasone is \
         trying to carry out a drastic tax reform at the\nend of his administration,\" \
         [Rei Shiratori](PER),\nprofessor of politics at [Dokkyo University](ORG), told \
         [Reuters](ORG).\n    \"Nakasone will almost certainly step down as soon as\nparliament \
         approves the sales tax,\"\n[Shiratori](PER) said.\n    The tax was planned for \
         January and\nis opposed by many.\n",
        &[
            (
                "Nakasone is trying t",
                Some("Rei Shiratori"),
                Some("Rei Shiratori"),
                Some("told"),
            ),
            (
                "Nakasone will almost",
                Some("Shiratori"),
                Some("Rei Shiratori"),
                Some("said"),
            ),
        ],
    );
}

#[test]
fn one_or_another_opens_an_unnamed_speaker() {
    // "one …" is an indefinite description like "a …": not the organisation inside it, and
    // a speaker of its own rather than the person of the sentence before.
    check(
        "[Mark Walker](PER) will retire.\n\"Meadows screwed everybody,\" said one [GOP](ORG) \
         operative in the state. \"They threw him off the boat.\"\n\
         \"It condemns Japan without due process,\" one Japanese official said.",
        &[
            (
                "Meadows screwed ever",
                Some("one GOP operative in the state"),
                None,
                Some("said"),
            ),
            (
                "They threw him off t",
                Some("one GOP operative in the state"),
                None,
                None,
            ),
            (
                "It condemns Japan wi",
                Some("one Japanese official"),
                None,
                Some("said"),
            ),
        ],
    );
}

#[test]
fn a_party_after_the_name_is_the_politician_named_before() {
    // US copy calls a politician by state and party; the quote's second half, after the
    // comma attribution, is the same speaker's.
    check(
        "The subcommittee's chairman, Rep. [Cardiss Collins](PER), called it pathetic.\n\
         \"It strikes me odd,\" said the Illinois Democrat, \"that the number of white women \
         pilots is more than double that of black pilots.\"",
        &[
            (
                "It strikes me odd,",
                Some("the Illinois Democrat"),
                Some("Cardiss Collins"),
                Some("said"),
            ),
            (
                "that the number of w",
                Some("the Illinois Democrat"),
                Some("Cardiss Collins"),
                None,
            ),
        ],
    );
}

#[test]
fn persons_in_the_attribution_clause_do_not_interrupt_the_speaker() {
    check(
        "“It is a big risk for him to debate,” said [Paul Begala](PER), who was a longtime \
         adviser to [Bill](PER) and [Hillary Clinton](PER). “He has not debated since 2009.”",
        &[
            (
                "It is a big risk for",
                Some("Paul Begala"),
                Some("Paul Begala"),
                Some("said"),
            ),
            (
                "He has not debated s",
                Some("Paul Begala"),
                Some("Paul Begala"),
                None,
            ),
        ],
    );
}

#[test]
fn us_titles_make_a_name_a_person() {
    // The tagger reads "Rep. Cardiss Collins" as an organisation; the title says a person,
    // of no known gender, so "she" finds her.
    check(
        "[Rep. Cardiss Collins](ORG) opposed the bill on Monday.\n\
         “This is a disgrace for the country,” she said.",
        &[(
            "This is a disgrace f",
            Some("she"),
            Some("Rep. Cardiss Collins"),
            Some("said"),
        )],
    );
}

#[test]
fn pronouns_that_name_no_one_are_left_unattributed() {
    // "it" of a report and "she" with no woman before: no speaker rather than a pronoun
    // (or a wrong person); the quotation, which reads like speech, stays.
    check(
        "The [Commerce Department](ORG) report was released on Monday.\n\
         “Demand for new homes remains weak,” it said.",
        &[("Demand for new homes", None, None, None)],
    );
    check(
        "The company's presence in the city grew last year.\n\
         “We are here to stay for good,” she said.",
        &[("We are here to stay ", None, None, None)],
    );
}

#[test]
fn a_title_inside_the_sentence_is_no_quote() {
    // Issue 18, US check set: a programme's name, capitalised word by word, after a word or
    // a comma, is neither quoted speech nor said by the subject of the sentence.
    check(
        "Appearing on the NBC program, “Meet the Press,” the senator said the nomination \
         could be in difficulty.",
        &[],
    );
    check(
        "[Bernice Scott](PER) leads the group.\n[Scott](PER) told “CBS This Morning” co-host \
         [Gayle King](PER), “Because if you don't do right by the people, you have to go.”",
        &[(
            "Because if you don't",
            Some("Scott"),
            Some("Bernice Scott"),
            Some("told"),
        )],
    );
}

#[test]
fn a_name_after_a_preposition_is_not_the_speaker() {
    check(
        "[Richard Lyng](PER) met the Soviet delegation.\n“I just don't see any proposal like \
         that sailing through,” the aide to [Lyng](PER) said.",
        &[(
            "I just don't see any",
            Some("the aide to Lyng"),
            None,
            Some("said"),
        )],
    );
}

#[test]
fn a_reporters_attribution_makes_the_speaker_of_its_sentence() {
    // `…, Sato said.` and `…, the president said.`: the "he" after them is that speaker,
    // not a name in the reported words nor a person named further back.
    check(
        "[Seizaburo Sato](PER) is a professor.\nThe [Nakasone](PER) cabinet will have to \
         resign, [Sato](PER) said.\n“Opposition members will be more willing to return,” he \
         said.",
        &[(
            "Opposition members w",
            Some("he"),
            Some("Seizaburo Sato"),
            Some("said"),
        )],
    );
    check(
        "Welcoming [Mikhail Gorbachev](PER)'s offer, [Ronald Reagan](PER) spoke briefly.\nThe \
         allies have worked closely with us, the president said.\n“I remain firmly committed \
         to these objectives,” he said.",
        &[(
            "I remain firmly comm",
            Some("he"),
            Some("Ronald Reagan"),
            Some("said"),
        )],
    );
}

#[test]
fn a_speaker_described_twice_is_the_name_after_and() {
    // The tagger read the title before the line break as a name; or read nothing there.
    for title in ["[Nevada Sen.](PER)", "Nevada Sen."] {
        check(
            &format!(
                "“He has the smell of Iran on him,” said former {title}\nand [Reagan](PER) \
                 confidant [Paul Laxalt](PER). “He is a victim.”"
            ),
            &[
                (
                    "He has the smell of ",
                    Some("Paul Laxalt"),
                    Some("Paul Laxalt"),
                    Some("said"),
                ),
                (
                    "He is a victim.",
                    Some("Paul Laxalt"),
                    Some("Paul Laxalt"),
                    None,
                ),
            ],
        );
    }
}

#[test]
fn unnamed_speakers_stay_unnamed() {
    // "said one" of the sources names no one; "the diplomat" after "Another diplomat" is
    // that diplomat, not the person named last.
    check(
        "But the sources said [Volcker](PER) would have to be invited to stay. “Is the \
         president going to ask him?” said one.",
        &[("Is the president goi", None, None, None)],
    );
    check(
        "Another diplomat said restraints would matter in [Peking](PER)'s application.\n\
         “China has the potential to disrupt world markets,” the diplomat said.",
        &[(
            "China has the potent",
            Some("the diplomat"),
            None,
            Some("said"),
        )],
    );
}

#[test]
fn it_added_continues_an_unnamed_speaker() {
    check(
        "“The United States should admit China into the trade body,” the editorial said.\n\
         “Both sides have an interest in expanding trade,” it added.",
        &[
            (
                "The United States sh",
                Some("the editorial"),
                None,
                Some("said"),
            ),
            (
                "Both sides have an i",
                Some("the editorial"),
                None,
                Some("added"),
            ),
        ],
    );
}

#[test]
fn he_added_with_a_semicolon() {
    check(
        "Director [Tom Reed](PER) said backstage that no one could predict the result.\n\n\
         Speaking through an interpreter he added; “It is true that the momentum is building.”",
        &[(
            "It is true that the ",
            Some("he"),
            Some("Tom Reed"),
            Some("added"),
        )],
    );
}

#[test]
fn pronoun_reference_on_weak_evidence_is_left_unattributed() {
    // The nearest subject is a woman: a "he" is not handed to a man named further back.
    check(
        "[Tom Reed](PER) chaired the hearing.\n[Maria Ortiz](PER) said the vote was close.\n\
         “We will win the next one,” he said.",
        &[("We will win the next", None, None, None)],
    );
    // A person the tagger missed is the subject ("Theresa May", May read as a month): her
    // "she" is not the woman named before.
    check(
        "[Margaret Hodge](PER) said there was not enough time.\nTheresa May, shadow secretary \
         for the family, told the programme the plans were inadequate. “We want to make courts \
         the last resort,” she added.",
        &[("We want to make cour", None, None, None)],
    );
}

#[test]
fn a_surname_alone_gives_no_gender() {
    // "Reagan" is a first name in the census lists too, but alone it is his surname.
    check(
        "[Reagan](PER) said the talks would resume.\n“I remain firmly committed to these \
         objectives,” he said.",
        &[(
            "I remain firmly comm",
            Some("he"),
            Some("Reagan"),
            Some("said"),
        )],
    );
}

#[test]
fn the_description_is_the_person_who_bore_it_as_a_title() {
    // "the spokesman" is the one introduced as spokesman, not the person named last, who is
    // the subject of the reported words.
    check(
        "White House spokesman [Marlin Fitzwater](PER) briefed reporters. He said that \
         [Ronald Reagan](PER) would look beyond the horizon.\n“The president will discuss \
         the report,” the spokesman said.",
        &[(
            "The president will d",
            Some("the spokesman"),
            Some("Marlin Fitzwater"),
            Some("said"),
        )],
    );
}

#[test]
fn a_name_modifying_a_noun_is_not_the_subject() {
    // "The Reagan administration …, Deputy Secretary of State John Whitehead said.": the
    // reporter's attribution with its title, not the name inside "the … administration".
    check(
        "The [Reagan](PER) administration wants more trade with Moscow, Deputy Secretary of \
         State [John Whitehead](PER) said.\n“More trade between us is better than less,” he \
         told a forum.",
        &[(
            "More trade between u",
            Some("he"),
            Some("John Whitehead"),
            Some("told"),
        )],
    );
    // A party and a title before a tagged name are no untagged first name.
    check(
        "Tory MP [Peter Luff](PER), another co-chairman, said that the law was “so poorly \
         drafted nobody can define the offence”.",
        &[(
            "so poorly drafted no",
            Some("Peter Luff"),
            Some("Peter Luff"),
            Some("said"),
        )],
    );
}
