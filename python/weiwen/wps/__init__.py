"""The 慰问 tab inside WPS 表格: a WPS JS add-in answered by the local Weiwen server.

- `addin/`: the add-in as WPS loads it — ribbon.xml (made from the Excel ribbon by ribbon.py:
  the same groups, buttons and tags), index.html, main.js (ES2018).
- `ribbon.py`: the WPS ribbon from excel_src/customUI.xml, one source of truth for both.
- `places.py`: where things go for one user, on Windows and on Linux (pure functions).
- `publish.py`: WPS's publish.xml edited as text: only Weiwen's entry added or removed.
- `autostart.py`: the server started at login (Windows Run key; XDG autostart on Linux).
- `install.py`: `weiwen wps install` / `uninstall`, each step recorded so uninstall undoes
  exactly what install did.

The server side (what the buttons post to) is web/wps.py: `weiwen wps serve`.
"""
