from comments.moderation import Action, Facts, Rules, Submission, count_links, describe, evaluate


def sub(**kwargs):
    values = {
        "name": "Erika",
        "email": "erika@example.org",
        "url": "",
        "body": "Ein Gedanke.",
        "elapsed_seconds": 30,
    }
    values.update(kwargs)
    return Submission(**values)


def rules(**kwargs):
    return Rules(**kwargs)


def reasons(verdict):
    return {r.rule for r in verdict.reasons}


def test_evaluate_first_time_author_is_held():
    verdict = evaluate(sub(), Facts(), rules())
    assert verdict.action == Action.HOLD
    assert "first_time_author" in reasons(verdict)


def test_evaluate_known_author_is_approved():
    verdict = evaluate(sub(), Facts(known_author=True), rules())
    assert verdict.action == Action.APPROVE
    assert reasons(verdict) == {"known_author"}


def test_evaluate_policy_all_holds_known_authors():
    assert evaluate(sub(), Facts(known_author=True), rules(approval="all")).action == Action.HOLD


def test_evaluate_policy_none_approves_strangers():
    assert evaluate(sub(), Facts(), rules(approval="none")).action == Action.APPROVE


def test_evaluate_closed_post_rejects():
    verdict = evaluate(sub(), Facts(post_closed=True, known_author=True), rules())
    assert verdict.action == Action.REJECT
    assert verdict.message


def test_evaluate_duplicate_rejects_with_message():
    verdict = evaluate(sub(), Facts(duplicate=True, known_author=True), rules())
    assert verdict.action == Action.REJECT
    assert "already said" in verdict.message


def test_evaluate_too_fast_rejects():
    assert (
        evaluate(sub(elapsed_seconds=1.0), Facts(known_author=True), rules(min_seconds=3)).action
        == Action.REJECT
    )


def test_evaluate_missing_start_time_counts_as_too_fast():
    verdict = evaluate(sub(elapsed_seconds=None), Facts(known_author=True), rules())
    assert verdict.action == Action.REJECT
    assert "too_fast" in reasons(verdict)


def test_evaluate_honeypot_is_spam():
    verdict = evaluate(sub(honeypot_filled=True), Facts(known_author=True), rules())
    assert verdict.action == Action.SPAM


def test_evaluate_blocked_keyword_anywhere_is_spam():
    for field in ("name", "email", "url", "body", "ip", "user_agent"):
        value = "cheap-VIAGRA-now" if field != "email" else "viagra@example.org"
        verdict = evaluate(
            sub(**{field: value}), Facts(known_author=True), rules(blocked_keywords=("viagra",))
        )
        assert verdict.action == Action.SPAM, field
        assert "blocked_keyword" in reasons(verdict)


def test_evaluate_moderation_keyword_holds_known_author():
    verdict = evaluate(
        sub(body="Das ist Werbung"), Facts(known_author=True), rules(moderation_keywords=("werbung",))
    )
    assert verdict.action == Action.HOLD
    assert verdict.reasons[0].detail == "werbung"


def test_evaluate_links_over_limit_hold():
    body = "https://a.example https://b.example https://c.example"
    verdict = evaluate(sub(body=body), Facts(known_author=True), rules(max_links=2))
    assert verdict.action == Action.HOLD
    assert "links" in reasons(verdict)
    assert evaluate(sub(body=body), Facts(known_author=True), rules(max_links=3)).action == Action.APPROVE


def test_evaluate_unknown_rate_limit_holds():
    verdict = evaluate(sub(rate_limit_unknown=True), Facts(known_author=True), rules())
    assert verdict.action == Action.HOLD
    assert "rate_limit_unknown" in reasons(verdict)


def test_evaluate_strictest_action_wins_and_all_reasons_are_kept():
    verdict = evaluate(
        sub(honeypot_filled=True, body="https://a https://b https://c"), Facts(), rules(max_links=1)
    )
    assert verdict.action == Action.SPAM
    assert {"honeypot", "links", "first_time_author"} <= reasons(verdict)


def test_evaluate_staff_is_approved_but_not_on_closed_posts():
    assert (
        evaluate(sub(is_staff=True, elapsed_seconds=None), Facts(), rules(approval="all")).action
        == Action.APPROVE
    )
    assert evaluate(sub(is_staff=True), Facts(post_closed=True), rules()).action == Action.REJECT


def test_evaluate_edit_skips_timing_and_honeypot():
    verdict = evaluate(
        sub(is_edit=True, elapsed_seconds=None, honeypot_filled=True), Facts(known_author=True), rules()
    )
    assert verdict.action == Action.APPROVE


def test_count_links_counts_urls_and_mailto():
    assert count_links('<a href="https://x.example">x</a> www.y.example mailto:a@b.example') == 3


def test_describe_reason_for_moderators():
    assert "3" in describe({"rule": "links", "detail": "3"})
    assert describe({"rule": "unknown-rule"}) == "unknown-rule"
