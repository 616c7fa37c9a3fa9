namespace Llama.Curation.Tests.Ingest;

/// <summary>Hand-written pages shaped like real ones: a local news article and a Sphinx-built Python docs page.</summary>
internal static class HtmlPages
{
    /// <summary>A news article with a cookie banner, site header and menu, sidebar and footer around it.</summary>
    public const string NewsArticle = """
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Village bakery wins regional prize &amp; plans expansion</title>
  <style>body { font-family: sans-serif; }</style>
  <script>window.analytics = { track: function () {} };</script>
</head>
<body>
  <div id="cookie-banner" class="cookie-consent">
    <p>We use cookies to improve your experience. By continuing to browse you accept our cookie policy.</p>
    <button>Accept all cookies</button>
  </div>
  <header class="site-header">
    <a href="/">The Valley Gazette</a>
    <nav class="menu">
      <ul>
        <li><a href="/news">News</a></li>
        <li><a href="/sport">Sport</a></li>
        <li><a href="/weather">Weather</a></li>
        <li><a href="/contact">Contact us</a></li>
      </ul>
    </nav>
  </header>
  <main>
    <article>
      <h1>Village bakery wins regional prize &amp; plans expansion</h1>
      <p>The small bakery on Mill Lane, run by the same family for three generations, was named the best
         independent bakery in the region on Saturday. The judges praised its sourdough, which is still made
         with a starter the founder brought from her grandmother's kitchen in 1961.</p>
      <p>Owner Maria Jensen said the prize came as a surprise. &ldquo;We just bake the bread we like to eat,&rdquo;
         she told reporters, adding that the shop would open a second oven next spring so that it could keep up
         with the queue that now forms before seven every morning.</p>
      <h2>What the judges said</h2>
      <p>The panel tasted more than forty loaves from across the valley. Their report singled out the crust,
         the open crumb and the bakery's habit of selling yesterday's bread at half price to reduce waste.</p>
      <ul>
        <li>Best sourdough loaf</li>
        <li>Best use of local flour</li>
      </ul>
      <p>The expansion will create four new jobs, and the family hopes to offer baking classes to local schools
         once the new kitchen is finished.</p>
    </article>
  </main>
  <aside class="sidebar">
    <h3>Most read</h3>
    <ul><li><a href="/a">Road closures this weekend</a></li><li><a href="/b">Council budget vote</a></li></ul>
  </aside>
  <footer class="site-footer">
    <p>&copy; 2024 The Valley Gazette. All rights reserved. <a href="/privacy">Privacy policy</a></p>
  </footer>
</body>
</html>
""";

    /// <summary>The top of docs.python.org's <c>os</c> page, with Sphinx's navigation bars, sidebar and footer.</summary>
    public const string PythonDocsOs = """
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>os — Miscellaneous operating system interfaces &#8212; Python 3.12.4 documentation</title>
  <link rel="stylesheet" href="../_static/pydoctheme.css" type="text/css" />
  <script src="../_static/documentation_options.js"></script>
</head>
<body>
  <div class="mobile-nav">
    <input type="checkbox" id="menuToggler" class="toggler__input" aria-controls="navigation" />
    <nav class="nav-content" role="navigation">
      <a href="https://www.python.org/" class="nav-logo">Python</a>
      <form role="search" class="search" action="../search.html" method="get">
        <input placeholder="Quick search" type="search" name="q" />
        <input type="submit" value="Go" />
      </form>
    </nav>
  </div>
  <div class="related" role="navigation" aria-label="Related">
    <h3>Navigation</h3>
    <ul>
      <li class="right"><a href="../genindex.html" title="General Index">index</a></li>
      <li class="right"><a href="../py-modindex.html" title="Python Module Index">modules</a> |</li>
      <li class="right"><a href="io.html" title="io — Core tools for working with streams">next</a> |</li>
      <li><a href="https://www.python.org/">Python</a> &#187;</li>
      <li><a href="../index.html">3.12.4 Documentation</a> &#187;</li>
      <li class="nav-item nav-item-1"><a href="index.html">The Python Standard Library</a> &#187;</li>
    </ul>
  </div>
  <div class="document">
    <div class="documentwrapper">
      <div class="bodywrapper">
        <div class="body" role="main">
          <section id="module-os">
            <span id="os-miscellaneous-operating-system-interfaces"></span>
            <h1><a class="reference internal" href="#module-os" title="os: Miscellaneous operating system interfaces."><code class="xref py py-mod docutils literal notranslate"><span class="pre">os</span></code></a> — Miscellaneous operating system interfaces<a class="headerlink" href="#module-os" title="Link to this heading">¶</a></h1>
            <p><strong>Source code:</strong> <a class="reference external" href="https://github.com/python/cpython/tree/3.12/Lib/os.py">Lib/os.py</a></p>
            <hr class="docutils" />
            <p>This module provides a portable way of using operating system dependent functionality. If you just
            want to read or write a file see <a class="reference internal" href="functions.html#open" title="open"><code class="xref py py-func docutils literal notranslate"><span class="pre">open()</span></code></a>,
            if you want to manipulate paths, see the <a class="reference internal" href="os.path.html#module-os.path" title="os.path"><code class="xref py py-mod docutils literal notranslate"><span class="pre">os.path</span></code></a>
            module, and if you want to read all the lines in all the files on the command line see the
            <a class="reference internal" href="fileinput.html#module-fileinput"><code class="xref py py-mod docutils literal notranslate"><span class="pre">fileinput</span></code></a> module.</p>
            <p>Notes on the availability of these functions:</p>
            <ul class="simple">
              <li><p>The design of all built-in operating system dependent modules of Python is such that, as long
              as the same functionality is available, it uses the same interface.</p></li>
              <li><p>Extensions peculiar to a particular operating system are also available through the
              <a class="reference internal" href="#module-os"><code class="xref py py-mod docutils literal notranslate"><span class="pre">os</span></code></a> module, but using them is of course a threat to portability.</p></li>
            </ul>
            <section id="process-parameters">
              <h2>Process Parameters<a class="headerlink" href="#process-parameters" title="Link to this heading">¶</a></h2>
              <p>These functions and data items provide information and operate on the current process and user.</p>
              <dl class="py function">
                <dt class="sig sig-object py" id="os.getcwd"><span class="sig-prename descclassname"><span class="pre">os.</span></span><span class="sig-name descname"><span class="pre">getcwd</span></span><span class="sig-paren">(</span><span class="sig-paren">)</span></dt>
                <dd><p>Return a string representing the current working directory.</p></dd>
              </dl>
              <div class="highlight-python3 notranslate"><div class="highlight"><pre><span></span><span class="gp">&gt;&gt;&gt; </span><span class="kn">import</span> <span class="nn">os</span>
<span class="gp">&gt;&gt;&gt; </span><span class="n">os</span><span class="o">.</span><span class="n">getcwd</span><span class="p">()</span>
<span class="go">'/home/user'</span>
</pre></div></div>
            </section>
          </section>
          <div class="clearer"></div>
        </div>
      </div>
    </div>
    <div class="sphinxsidebar" role="navigation" aria-label="Main">
      <div class="sphinxsidebarwrapper">
        <h3><a href="../contents.html">Table of Contents</a></h3>
        <ul><li><a class="reference internal" href="#">os — Miscellaneous operating system interfaces</a></li></ul>
        <div role="note" aria-label="source link"><h3>This Page</h3><ul class="this-page-menu"><li><a href="../bugs.html">Report a Bug</a></li></ul></div>
      </div>
    </div>
  </div>
  <div class="footer">
    &copy; <a href="../copyright.html">Copyright</a> 2001-2024, Python Software Foundation.
    This page is licensed under the Python Software Foundation License Version 2.
    <a href="/license.html">History and License</a>
  </div>
</body>
</html>
""";
}
