package io.deskgate.web;

import java.util.Locale;

/** The console and replay pages' UI languages, as they appear in the URL's {@code lang} parameter. */
public enum Language {
  EN("EN"),
  ZH_CN("ZH-CN");

  private final String tag;

  Language(String tag) {
    this.tag = tag;
  }

  public String tag() {
    return tag;
  }

  /**
   * From {@code X-Language} when present, else the first supported entry of {@code Accept-Language},
   * else English.
   */
  public static Language of(String xLanguage, String acceptLanguage) {
    if (xLanguage != null && !xLanguage.isBlank()) {
      return parse(xLanguage);
    }
    if (acceptLanguage != null) {
      for (String entry : acceptLanguage.split(",")) {
        String range = entry.split(";")[0].trim();
        Language l = parse(range);
        if (l != EN || range.toLowerCase(Locale.ROOT).startsWith("en")) {
          return l;
        }
      }
    }
    return EN;
  }

  private static Language parse(String tag) {
    String t = tag.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    return t.equals("zh") || t.startsWith("zh-cn") || t.startsWith("zh-hans") || t.equals("zh-sg") ? ZH_CN : EN;
  }
}
