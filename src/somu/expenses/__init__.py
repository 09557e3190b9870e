"""Expenses and payments (経費精算・仮払): claims with line items on the approvals engine,
インボイス checks against the NTA registry kept offline, 電子帳簿保存法 storage and search,
規程チェック across lines and claims, 締め, 全銀 transfer files and journal CSV."""
