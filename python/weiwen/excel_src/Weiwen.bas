Attribute VB_Name = "Weiwen"
Option Explicit

' Weiwen ribbon callbacks (source of xl/vbaProject.bin in workbook/Weiwen.xlsm).
' Every button of the ribbon tab calls OnWeiwenButton; the button's tag names the
' operation and Python does the work: weiwen.excel.run(tag), through xlwings' RunPython.
' RunPython is reached with Application.Run on the installed xlwings add-in, so this
' project needs no VBA reference: without the add-in it still compiles and the clerk
' gets a message instead of a compile error.
' Keep this file ASCII: the Chinese messages live in hidden defined names of the workbook
' (WeiwenText_*, written by python/weiwen/excel_parts.py) and are read by Text().
' After editing: python -m weiwen.workbook, which rebuilds the VBA project (docs/excel.md).

Private Const RUN_PYTHON As String = "'xlwings.xlam'!RunPython"

Public Sub OnWeiwenButton(control As IRibbonControl)
    RunWeiwen control.Tag
End Sub

Public Sub RunWeiwen(ByVal operation As String)
    On Error GoTo Failed
    Application.Run RUN_PYTHON, WeiwenCommand(operation)
    Exit Sub
Failed:
    MsgBox Text("WeiwenText_NoAddin", "Python could not be started. Is the xlwings add-in installed?") _
        & vbCrLf & vbCrLf & Text("WeiwenText_Detail", "Error: ") & Err.Description, _
        vbExclamation, Text("WeiwenText_Title", "Weiwen")
End Sub

Public Function WeiwenCommand(ByVal operation As String) As String
    WeiwenCommand = "import weiwen.excel; weiwen.excel.run('" & operation & "')"
End Function

Public Function Text(ByVal key As String, ByVal fallback As String) As String
    ' A defined name holding a text constant: RefersTo is ="..." with inner quotes doubled.
    Dim formula As String
    Text = fallback
    On Error GoTo Done
    formula = ThisWorkbook.Names(key).RefersTo
    If Len(formula) >= 3 And Left(formula, 2) = "=""" And Right(formula, 1) = """" Then
        Text = Replace(Mid(formula, 3, Len(formula) - 3), """""", """")
    End If
Done:
End Function

Public Sub SelfTest()
    ' Run by the tests in LibreOffice: writes what a button would send to Python and a
    ' message read from the workbook, next to the xlwings settings.
    With ThisWorkbook.Worksheets("xlwings.conf")
        .Range("D1").Value = WeiwenCommand("selftest")
        .Range("D2").Value = Text("WeiwenText_Title", "?")
    End With
End Sub
