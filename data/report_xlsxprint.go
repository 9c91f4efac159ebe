package data

import (
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// a4 is Excel's paper-size code for A4.
const a4 = 9

// printSetup makes a sheet print as a bureau files it: A4 landscape, as
// wide as one page, with the header row repeated on every page when
// headerRows > 0. For a streamed sheet it must run between NewStreamWriter
// and Flush, which writes the worksheet it changes.
func (x *xlsxWriter) printSetup(sheet string, headerRows int) error {
	size, orient, fitW, fitH := a4, "landscape", 1, 0
	if err := x.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &fitW, FitToHeight: &fitH}); err != nil {
		return fmt.Errorf("xlsx report: sheet %s: page layout: %w", sheet, err)
	}
	fit := true
	if err := x.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("xlsx report: sheet %s: page layout: %w", sheet, err)
	}
	if headerRows > 0 {
		ref := fmt.Sprintf("'%s'!$1:$%d", strings.ReplaceAll(sheet, "'", "''"), headerRows)
		if err := x.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: ref, Scope: sheet}); err != nil {
			return fmt.Errorf("xlsx report: sheet %s: print titles: %w", sheet, err)
		}
	}
	return nil
}

// createdStamp is the workbook's creation time as its properties want it
// (W3CDTF, UTC): the report's own date, not excelize's template's.
func createdStamp(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format(time.RFC3339)
}
