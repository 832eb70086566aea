"""Vietnamese order and accent-free folding of names (app.core.vnsort)."""
import pytest

from app.core.vnsort import collation_key, fold, name_key


def vn_sorted(words):
    return sorted(words, key=collation_key)


def test_the_alphabet_puts_each_marked_letter_after_its_plain_one():
    assert vn_sorted(["đa", "da", "ưa", "ua", "ơa", "ôa", "oa", "êa", "ea", "âa", "ăa", "aa"]) == [
        "aa", "ăa", "âa", "da", "đa", "ea", "êa", "oa", "ôa", "ơa", "ua", "ưa"]


def test_code_point_order_is_not_vietnamese_order():
    assert sorted(["Nguyễn", "Ngô"]) == ["Nguyễn", "Ngô"] and vn_sorted(["Nguyễn", "Ngô"]) == ["Ngô", "Nguyễn"]
    assert sorted(["Phạm", "Phan"]) == ["Phan", "Phạm"] and vn_sorted(["Phan", "Phạm"]) == ["Phạm", "Phan"]


def test_tones_count_only_when_the_letters_are_the_same_in_dictionary_order():
    assert vn_sorted(["ạ", "á", "ã", "ả", "à", "a"]) == ["a", "à", "ả", "ã", "á", "ạ"]
    assert vn_sorted(["mạ", "mà", "mai", "ma"]) == ["ma", "mà", "mạ", "mai"]
    # a tone on one letter, a different letter later: the letter decides
    assert vn_sorted(["tàb", "tab"]) == ["tab", "tàb"] and vn_sorted(["tàa", "tab"]) == ["tàa", "tab"]


def test_lower_case_before_upper_case_only_as_a_last_resort():
    assert vn_sorted(["Bình", "bình", "an"]) == ["an", "bình", "Bình"]


def test_a_shorter_word_comes_first_and_digits_before_letters():
    assert vn_sorted(["Anh", "An", "A"]) == ["A", "An", "Anh"]
    assert vn_sorted(["Lớp 2", "Lớp A", "Lớp 10"]) == ["Lớp 10", "Lớp 2", "Lớp A"]


def test_the_same_name_in_composed_or_decomposed_unicode_has_the_same_key():
    composed, decomposed = "Nguy\u1ec5n", "Nguye\u0302\u0303n"
    assert composed != decomposed and collation_key(composed) == collation_key(decomposed)


def test_letters_foreign_to_vietnamese_still_sort_and_never_raise():
    assert vn_sorted(["Zoe", "Wang", "Jean", "Fatima"]) == ["Fatima", "Jean", "Wang", "Zoe"]
    assert vn_sorted(["张伟", "Ánh", "Müller"]) == ["Ánh", "Müller", "张伟"]


def test_names_sort_by_given_name_then_family_and_middle_names():
    people = ["Trần Văn Bình", "Nguyễn Thị An", "Lê An", "Phạm Thị Ánh", "Ngô Văn An"]
    assert sorted(people, key=name_key) == ["Lê An", "Ngô Văn An", "Nguyễn Thị An", "Phạm Thị Ánh", "Trần Văn Bình"]


@pytest.mark.parametrize("name", ["", "Lan", "  Nguyễn   Thị  Lan "])
def test_name_key_takes_any_spacing(name):
    assert name_key(name) == name_key(" ".join(name.split()))


@pytest.mark.parametrize("text,folded", [
    ("Nguyễn Văn An", "nguyen van an"),
    ("ĐẶNG Đức", "dang duc"),
    ("Ưng Ơn Ở", "ung on o"),
    ("lan.nguyen@XA.vn", "lan.nguyen@xa.vn"),
])
def test_fold_removes_diacritics_and_case(text, folded):
    assert fold(text) == folded
