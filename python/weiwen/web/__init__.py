"""The workbench page (`weiwen serve`): the campaign in a browser, for clerks without Microsoft
Excel. A thin adapter over the same operations as the command line and the ribbon (ops.py), behind
a local server that is safe by default (security.py). Pages: app.py, views.py and templates/;
tables.py (名册/问题 scrolling), files.py (IDs, uploads), preview.py, chart.py, jobs.py, state.py.
"""
