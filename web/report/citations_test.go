package report

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// The printable report cites documents as a bureau would: the demo is
// judged under the chongqing profile, so its 0.2 m² land norm cites
// 渝民函〔2020〕245号 with the letter's words; nothing names CareCircle's
// own notes, and figures not quoted from a document say 待核实.
func TestHTMLReportCitesDocuments(t *testing.T) {
	html := renderString(t, baselineInput(t))
	text := htmlText(html)
	for _, want := range []string{
		"重庆市民政局《关于市政协五届三次会议第0607号提案办理情况的答复函》（渝民函〔2020〕245号，2020年12月1日）",
		"按照人均不低于0.2平方米养老用地标准",
		"待核实",
		"0.2 平方米/人",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report does not say %q", want)
		}
	}
	if m := regexp.MustCompile(`(?i)seed 0|para[p]hrase|standards[.]md|m²/resident`).FindString(text); m != "" {
		t.Errorf("the report says %q", m)
	}
}

// No internal text of the demo ("(synthetic district, seed 1)", "demo
// district seed 1") reaches the report; it says the data are synthetic.
func TestReportSaysNoInternalText(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, "html", baselineInput(t)); err != nil {
		t.Fatal(err)
	}
	text := htmlText(buf.String())
	if m := regexp.MustCompile(`(?i)synthetic [a-z]+, seed|seed \d|demo district`).FindString(text); m != "" {
		t.Errorf("the report says %q", m)
	}
	if !strings.Contains(text, "合成示范数据") {
		t.Error("the report of the demo does not say its data are synthetic")
	}
}
