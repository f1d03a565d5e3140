package dev.dispatch.adapter.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class HtmlTextTest {

    @Test
    void givenParagraphsAndBreaks_whenConverted_thenLinesAndBlankLines() {
        assertEquals("One\ntwo\n\nThree", HtmlText.fromHtml("<p>One<br/>two</p>\n\n   <p>  Three </p>"));
    }

    @Test
    void givenLinks_whenConverted_thenTextWithUrlUnlessTheSame() {
        assertEquals("Read more (https://a.example/x) - https://b.example - write to help@x.example",
                HtmlText.fromHtml("<a href=\"https://a.example/x\">Read more</a> - "
                        + "<a href=\"https://b.example\">https://b.example</a> - write to "
                        + "<a href=\"mailto:help@x.example\">help@x.example</a>"));
    }

    @Test
    void givenHiddenScriptsAndStyles_whenConverted_thenLeftOut() {
        assertEquals("Visible", HtmlText.fromHtml("<style>.a{}</style><script>x()</script>"
                + "<div style=\"display: none\">hidden preview</div><div>Visible</div>"));
    }

    @Test
    void givenTableLayout_whenConverted_thenCellsSpacedRowsOnLines() {
        assertEquals("Name Ada\nPlan pro", HtmlText.fromHtml(
                "<table><tr><td>Name</td><td>Ada</td></tr><tr><td>Plan</td><td>pro</td></tr></table>"));
    }

    @Test
    void givenNull_whenConverted_thenNull() {
        assertNull(HtmlText.fromHtml(null));
    }
}
