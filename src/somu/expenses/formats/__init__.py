"""Pure file formats and checks of the expenses app — no Django, small, typed, fast to test:
the 適格請求書発行事業者 登録番号 and the NTA's registry files, 全銀協 総合振込 records and their
half-width kana, journal CSV for 弥生会計 / マネーフォワード クラウド会計 / freee, and reading the
fields of a receipt's text."""
