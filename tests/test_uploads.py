from geo.uploads import remove_upload, safe_name, save_upload, saved_uploads


def test_uploads_are_saved_under_safe_names_inside_the_folder_and_removed(tmp_path):
    folder = tmp_path / "uploads"
    path = save_upload(folder, "../../etc/Sinuiju report (1).MD", b"text")
    assert path == folder / "Sinuiju_report_1.md"
    save_upload(folder, "notes", b"more")
    assert saved_uploads(folder) == (("Sinuiju_report_1.md", b"text"), ("notes.txt", b"more"))
    remove_upload(folder, "../notes.txt")
    assert [name for name, _ in saved_uploads(folder)] == ["Sinuiju_report_1.md"]
    assert not (tmp_path / "notes.txt").exists()


def test_a_missing_folder_has_no_uploads(tmp_path):
    assert saved_uploads(tmp_path / "none") == ()
    assert safe_name("") == "upload.txt"
