"""WeChat: official-account pushes (公众号), article comments (留言) and WeCom customer service
(微信客服), all on wechatpy.

Receiving: ``routes.py`` (official account server URL) and ``kf_routes.py`` (WeCom customer
service callback) check signatures in constant time (``verify.py``), refuse unsafe XML
(``safexml.py``), normalize (``parse.py``, ``kf.py``) and queue; they answer WeChat at once and
never call the platform. ``comments.py`` polls article comments. Sending: ``sender.py`` through
the customer-service API (within the 48-hour budget of ``window.py``) or the comment reply API;
``kf.py`` through WeCom's ``send_msg``. ``client.py`` builds wechatpy clients that share one
access token through Redis.
"""
