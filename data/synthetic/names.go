package synthetic

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// Place names for the demo city. Chinese street and community names are
// mostly a word or two for a feature of the place (金汤街, 石板坡, 桂花园,
// 七星岗) followed by the kind of unit (街道, 镇, 社区, 村). The stems here
// are drawn from characters common in such names, not from real places, so
// that a synthetic 解放碑 is never mistaken for the real one.
//
// The tables are constants in all but syntax: Go has no constant slices.

// nameHeads are first characters of place names.
var nameHeads = []rune("金银玉石龙凤桂莲兰松柏桃李梅竹花华兴新民安宁和平康福寿永长庆嘉同仁德文光明红青黄白朝阳东南西北中上下大小双三七九百万高沙马鹤鹿江溪滨湖泉云星月天望观仙宝古杨刘张陈罗曾胡")

// nameMiddles may stand between head and tail in three-character names
// (金鸡岭, 石马河, 枣子湾).
var nameMiddles = []rune("家鸡凤龙花石水新马子山田林桥塘溪")

// nameTails are the feature words that end place names.
var nameTails = []string{
	"园", "山", "坡", "岗", "湾", "坝", "坪", "桥", "门", "街", "路", "巷", "苑", "寺", "口",
	"堡", "沟", "垭", "塘", "岭", "嘴", "台", "院", "场", "林", "田", "池", "岩", "滩", "洲",
	"关", "庙", "亭", "井", "河", "港", "城", "湖", "花园", "新村", "二路", "正街",
}

// namer hands out place-name stems, never the same one twice in a city.
type namer struct {
	r    *rand.Rand
	used map[string]bool
}

func newNamer(r *rand.Rand) *namer { return &namer{r: r, used: map[string]bool{}} }

// stem returns a new name without its unit word. Two-character names are
// the most common; three-character ones give room for a big city's five
// thousand communities (the tables allow some 40 k names).
func (n *namer) stem() string {
	for try := 0; ; try++ {
		var b strings.Builder
		b.WriteRune(nameHeads[n.r.IntN(len(nameHeads))])
		if n.r.Float64() < 0.4 || try > 50 {
			b.WriteRune(nameMiddles[n.r.IntN(len(nameMiddles))])
		}
		b.WriteString(nameTails[n.r.IntN(len(nameTails))])
		s := b.String()
		if try > 1000 { // the tables are exhausted: number the names
			s += strconv.Itoa(len(n.used))
		}
		if !n.used[s] {
			n.used[s] = true
			return s
		}
	}
}
