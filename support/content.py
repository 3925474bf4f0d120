"""Initial help content, loaded by a data migration so every install has it.

Written for this portal from the domain notes (accounts rules, VssID
features, BHYT card facts); staff edit it in admin afterwards. Kept in a
module of its own so the migration and the tests read the same text.
"""

from datetime import timedelta

TOPICS = [
    {"slug": "gioi-thieu", "name": "Giới thiệu cổng", "order": 1},
    {"slug": "dang-ky", "name": "Đăng ký tài khoản", "order": 2},
    {"slug": "dang-nhap", "name": "Đăng nhập và mật khẩu", "order": 3},
    {"slug": "the-bhyt", "name": "Thẻ BHYT và mã số BHXH", "order": 4},
    {"slug": "ho-tro", "name": "Hỗ trợ", "order": 5},
]

FAQS = [
    # key, topic, question, answer
    (
        "portal",
        "gioi-thieu",
        "VssID Portal là gì?",
        "VssID Portal là cổng giao dịch điện tử về bảo hiểm xã hội (BHXH) và bảo hiểm y tế "
        "(BHYT) dùng ngay trên trình duyệt của điện thoại hoặc máy tính, không cần cài ứng dụng.\n\n"
        "Trên cổng, bạn làm được những việc như trên ứng dụng VssID: đăng ký tài khoản giao dịch "
        "điện tử, xem thẻ BHYT điện tử, xem quá trình đóng BHXH, BHYT, bảo hiểm thất nghiệp, các "
        "chế độ đã hưởng, lịch sử khám chữa bệnh, tra cứu thông tin và hỏi đáp với cơ quan BHXH.",
    ),
    (
        "who",
        "gioi-thieu",
        "Ai có thể sử dụng cổng này?",
        "Mọi người đã được cấp mã số BHXH đều có thể đăng ký tài khoản: người lao động đang đóng "
        "BHXH, người tham gia BHXH tự nguyện, người có thẻ BHYT (học sinh, sinh viên, thành viên "
        "hộ gia đình, người hưởng lương hưu...).\n\n"
        "Cha mẹ hoặc người giám hộ có thể đăng ký tài khoản cho trẻ em chưa có căn cước công dân.\n\n"
        "Không cần tài khoản để tra cứu, đọc câu hỏi thường gặp, hỏi trợ lý hoặc gửi câu hỏi "
        "cho cơ quan BHXH.",
    ),
    (
        "services",
        "gioi-thieu",
        "Cổng có những dịch vụ nào?",
        "Sau khi đăng nhập: thẻ BHYT điện tử; quá trình tham gia BHXH, BHYT, bảo hiểm thất nghiệp, "
        "bảo hiểm tai nạn lao động - bệnh nghề nghiệp; các chế độ đã hưởng (ốm đau, thai sản, "
        "BHXH một lần, lương hưu, trợ cấp thất nghiệp...); lịch sử khám chữa bệnh BHYT; quản lý tài "
        "khoản (đổi mật khẩu, số điện thoại, thư điện tử).\n\n"
        "Không cần đăng nhập: đăng ký tài khoản và theo dõi hồ sơ đăng ký; tra cứu mã số BHXH, cơ "
        "quan BHXH, cơ sở khám chữa bệnh, đơn vị tham gia BHXH, điểm thu; câu hỏi thường gặp, tin "
        "tức, chính sách, trợ lý hỏi đáp và gửi câu hỏi.",
    ),
    (
        "register",
        "dang-ky",
        "Làm thế nào để đăng ký tài khoản giao dịch điện tử?",
        'Chọn "Đăng ký" và điền tờ khai: họ và tên, mã số BHXH, ngày sinh, số CCCD, địa chỉ liên '
        "hệ, số điện thoại di động (để nhận tài khoản, mật khẩu và mã OTP), thư điện tử nếu có, chọn "
        "cơ quan BHXH tiếp nhận và hình thức nộp hồ sơ. Tải lên ảnh chân dung và ảnh hai mặt CCCD, "
        'nhập mã kiểm tra rồi bấm "Ghi nhận".\n\n'
        "Sau đó in tờ khai, ký và nộp tại cơ quan BHXH đã chọn (mang theo CCCD) hoặc gửi qua dịch "
        "vụ bưu chính công ích. Khi hồ sơ được duyệt, tên đăng nhập (chính là mã số BHXH) và mật "
        "khẩu được gửi đến số điện thoại bạn đã khai.",
    ),
    (
        "no_account",
        "dang-ky",
        "Tôi đã đăng ký nhưng chưa nhận được tài khoản và mật khẩu, vì sao?",
        "Thường do một trong các lý do sau:\n\n"
        "- Hồ sơ chưa được duyệt: bạn chưa nộp tờ khai đã ký tại cơ quan BHXH, hoặc cơ quan BHXH "
        'đang xử lý. Xem trạng thái ở mục "Theo dõi hồ sơ đăng ký" bằng mã hồ sơ và số điện thoại.\n'
        "- Hồ sơ bị từ chối: lý do được gửi cho bạn; sửa lại thông tin rồi đăng ký lại.\n"
        "- Số điện thoại khai sai, thuê bao bị khóa hoặc tin nhắn đến chậm vào giờ cao điểm.\n\n"
        "Nếu hồ sơ đã được duyệt mà bạn vẫn không nhận được tin nhắn, hãy liên hệ cơ quan BHXH đã "
        "chọn hoặc gọi tổng đài 1900.9068.",
    ),
    (
        "one_account",
        "dang-ky",
        "Một người được có mấy tài khoản?",
        "Mỗi người chỉ có một tài khoản, tên đăng nhập là mã số BHXH của chính người đó. Mỗi số "
        "điện thoại cũng chỉ dùng cho một tài khoản.\n\n"
        'Nếu mã số BHXH của bạn đã được đăng ký thì không đăng ký thêm được: hãy dùng "Quên mật '
        'khẩu" nếu không nhớ mật khẩu, hoặc liên hệ cơ quan BHXH nếu số điện thoại đã đăng ký không '
        "còn là của bạn.",
    ),
    (
        "initial_password",
        "dang-ky",
        "Mật khẩu ban đầu là gì và dùng thế nào?",
        "Khi hồ sơ đăng ký được duyệt, hệ thống gửi qua tin nhắn SMS một mật khẩu khởi tạo gồm các "
        "chữ số ngẫu nhiên. Lần đăng nhập đầu tiên bạn phải đổi sang mật khẩu của riêng mình.\n\n"
        "Mật khẩu khởi tạo chỉ dùng được trong 30 ngày; quá hạn chưa dùng thì liên hệ cơ quan BHXH "
        "để được cấp lại. Không đưa mật khẩu cho bất kỳ ai: cán bộ BHXH không bao giờ hỏi mật khẩu "
        "của bạn.",
    ),
    (
        "one_device",
        "dang-nhap",
        "Vì sao tôi chỉ đăng nhập được trên một thiết bị?",
        "Để bảo vệ tài khoản, mỗi lúc chỉ một thiết bị được đăng nhập. Khi bạn đăng nhập trên thiết "
        "bị thứ hai (điện thoại mới, máy tính khác), cổng báo cho bạn biết và gửi mã OTP đến số điện "
        "thoại đã đăng ký. Nhập đúng mã thì thiết bị mới được dùng và thiết bị cũ bị đăng xuất.\n\n"
        "Nếu bạn không còn dùng số điện thoại đã đăng ký, hãy liên hệ cơ quan BHXH để đổi số.",
    ),
    (
        "locked",
        "dang-nhap",
        "Nhập sai mật khẩu 5 lần thì sao?",
        "Nhập sai mật khẩu 5 lần liên tiếp thì tài khoản bị khóa để chống dò mật khẩu; từ lần sai "
        "thứ 3 bạn phải nhập thêm mã kiểm tra. Khi tài khoản bị khóa, một tin nhắn được gửi đến số "
        "điện thoại đã đăng ký.\n\n"
        'Tài khoản bị khóa không tự mở lại và chức năng "Quên mật khẩu" cũng không mở khóa. Hãy '
        "liên hệ cơ quan BHXH nơi quản lý tài khoản (mang theo CCCD) hoặc gọi tổng đài 1900.9068 để "
        "được mở khóa.",
    ),
    (
        "forgot_password",
        "dang-nhap",
        "Quên mật khẩu thì làm thế nào?",
        'Trên trang đăng nhập, chọn "Quên mật khẩu", nhập mã số BHXH, số điện thoại đã đăng ký và '
        "mã kiểm tra. Bạn sẽ nhận mã OTP qua tin nhắn; nhập mã đó rồi đặt mật khẩu mới. Mã OTP chỉ "
        "dùng được một lần và trong vài phút.\n\n"
        "Nếu không còn dùng số điện thoại đã đăng ký, hãy liên hệ cơ quan BHXH để cập nhật số.",
    ),
    (
        "password_rotation",
        "dang-nhap",
        "Vì sao phải đổi mật khẩu 6 tháng một lần?",
        "Theo quy định của cổng, mật khẩu phải được đổi ít nhất 6 tháng một lần. Bạn được nhắc trước "
        "14 ngày và 3 ngày; quá hạn thì phải đổi mật khẩu mới dùng tiếp được.\n\n"
        'Để đổi mật khẩu: vào "Tài khoản", nhập mật khẩu cũ, mật khẩu mới hai lần rồi nhập mã OTP '
        "gửi qua tin nhắn. Mật khẩu mới dài ít nhất 8 ký tự, không trùng 3 mật khẩu gần nhất và "
        "không nên chứa mã số BHXH, ngày sinh hay số điện thoại.",
    ),
    (
        "change_contact",
        "dang-nhap",
        "Làm sao đổi số điện thoại hoặc thư điện tử của tài khoản?",
        'Đăng nhập, vào "Tài khoản", chọn đổi số điện thoại hoặc thư điện tử, nhập mã kiểm tra rồi '
        "nhập mã OTP được gửi đến thư điện tử của bạn. Số điện thoại và thư điện tử cũ đều nhận "
        "được thông báo về thay đổi.\n\n"
        "Nếu tài khoản chưa có thư điện tử, hoặc bạn không đăng nhập được, hãy liên hệ cơ quan BHXH.",
    ),
    (
        "find_number",
        "the-bhyt",
        "Tìm mã số BHXH của tôi ở đâu?",
        "Mã số BHXH gồm 10 chữ số. Bạn có thể tìm thấy nó:\n\n"
        "- trên sổ BHXH;\n"
        "- trên thẻ BHYT: thẻ mẫu mới (cấp từ 01/04/2021) có số thẻ chính là mã số BHXH; thẻ mẫu cũ "
        "có 15 ký tự, mã số BHXH là 10 chữ số cuối;\n"
        "- hỏi bộ phận nhân sự của đơn vị nơi bạn làm việc;\n"
        '- dùng chức năng "Tra cứu mã số BHXH" với họ tên, ngày sinh và địa chỉ, hoặc gọi tổng '
        "đài 1900.9068.",
    ),
    (
        "ecard",
        "the-bhyt",
        "Đi khám bệnh có dùng thẻ BHYT điện tử được không?",
        "Được. Từ ngày 01/06/2021, hình ảnh thẻ BHYT trên ứng dụng VssID được dùng thay cho thẻ giấy "
        "khi khám chữa bệnh BHYT. Các cơ sở khám chữa bệnh cũng nhận CCCD gắn chip hoặc tài khoản "
        "VNeID.\n\n"
        'Trên cổng này, sau khi đăng nhập, mở mục "Thẻ BHYT" để xem thẻ và mã QR của thẻ.',
    ),
    (
        "five_years",
        "the-bhyt",
        'Ngày "đủ 5 năm liên tục" trên thẻ BHYT có phải là ngày hết hạn không?',
        "Không. Đó là ngày bạn tham gia BHYT đủ 5 năm liên tục, và có thể là một ngày trong tương "
        "lai. Từ ngày đó, khi số tiền cùng chi trả khám chữa bệnh đúng tuyến trong năm vượt quá 6 "
        "tháng lương cơ sở, quỹ BHYT chi trả 100% cho thời gian còn lại của năm.\n\n"
        'Thời hạn sử dụng thẻ là mục "giá trị sử dụng" trên thẻ; hãy kiểm tra bằng chức năng tra '
        'cứu hoặc trong mục "Thẻ BHYT" sau khi đăng nhập.',
    ),
    (
        "card_number",
        "the-bhyt",
        "Mã số BHXH và số thẻ BHYT khác nhau thế nào?",
        "Mã số BHXH là số định danh 10 chữ số, mỗi người một mã, dùng suốt đời. Thẻ BHYT mẫu mới "
        "(từ 01/04/2021) lấy luôn mã số BHXH làm số thẻ. Thẻ mẫu cũ có số thẻ 15 ký tự: 2 chữ cái "
        "mã đối tượng, 1 chữ số mức hưởng, 2 chữ số mã tỉnh và 10 chữ số mã số BHXH. Thẻ cũ vẫn "
        "dùng được cho đến khi được đổi.",
    ),
    (
        "help",
        "ho-tro",
        "Tôi có thể được hỗ trợ ở đâu?",
        "- Tổng đài 1900.9068, hoạt động 24/7 (cước theo quy định của nhà mạng).\n"
        "- Trợ lý hỏi đáp trên cổng này, trả lời ngay từ các câu hỏi thường gặp.\n"
        "- Gửi câu hỏi, phản ánh, kiến nghị cho cơ quan BHXH: bạn nhận một mã câu hỏi để xem "
        "câu trả lời.\n"
        '- Trực tiếp tại cơ quan BHXH: xem địa chỉ, số điện thoại và giờ làm việc ở mục "Tra cứu '
        'cơ quan BHXH".',
    ),
    (
        "read_answer",
        "ho-tro",
        "Gửi câu hỏi rồi thì xem câu trả lời ở đâu?",
        "Khi gửi câu hỏi, bạn nhận được một mã câu hỏi (dạng HD-2026-XXXX-XXXX). Khi cán bộ BHXH trả "
        'lời, bạn được báo qua tin nhắn hoặc thư điện tử. Vào mục "Xem câu trả lời", nhập mã câu '
        "hỏi cùng số điện thoại hoặc thư điện tử đã khai khi gửi để đọc câu trả lời.",
    ),
]

ARTICLES = [
    {
        "kind": "news",
        "slug": "ra-mat-cong-vssid-portal",
        "title": "Ra mắt cổng giao dịch điện tử VssID Portal",
        "summary": "Người dân có thể đăng ký tài khoản, xem thẻ BHYT và quá trình tham gia BHXH "
        "ngay trên trình duyệt, không cần cài ứng dụng.",
        "body": "VssID Portal đưa các dịch vụ của ứng dụng VssID lên trình duyệt web, dùng được "
        "trên cả điện thoại cấu hình thấp và máy tính.\n\n"
        "Người dân đăng ký tài khoản bằng tờ khai trực tuyến, nộp hồ sơ tại cơ quan BHXH hoặc qua "
        "bưu điện, rồi nhận tài khoản và mật khẩu qua tin nhắn. Sau khi đăng nhập bằng mã số BHXH, "
        "có thể xem thẻ BHYT điện tử, quá trình đóng BHXH và các chế độ đã hưởng.\n\n"
        "Mọi thắc mắc xin gọi tổng đài 1900.9068 hoặc gửi câu hỏi tại mục Hỏi đáp.",
        "days_ago": 10,
    },
    {
        "kind": "policy",
        "slug": "the-bhyt-dien-tu-khi-kham-chua-benh",
        "title": "Dùng thẻ BHYT điện tử khi khám chữa bệnh",
        "summary": "Từ 01/06/2021, hình ảnh thẻ BHYT trên VssID được dùng thay thẻ giấy khi đi "
        "khám chữa bệnh BHYT.",
        "body": "Từ ngày 01/06/2021, người tham gia BHYT có thể xuất trình hình ảnh thẻ BHYT trên "
        "ứng dụng VssID thay cho thẻ giấy khi khám chữa bệnh. Cơ sở khám chữa bệnh cũng chấp nhận "
        "căn cước công dân gắn chip và tài khoản VNeID.\n\n"
        "Thẻ BHYT cấp từ 01/04/2021 có số thẻ là mã số BHXH gồm 10 chữ số. Thẻ mẫu cũ có số thẻ 15 "
        "ký tự vẫn có giá trị sử dụng cho đến khi được cấp đổi.\n\n"
        'Lưu ý: ngày "đủ 5 năm liên tục" ghi trên thẻ không phải ngày hết hạn của thẻ.',
        "days_ago": 5,
    },
    {
        "kind": "policy",
        "slug": "muc-dong-bhyt-hoc-sinh-sinh-vien",
        "title": "Mức đóng BHYT của học sinh, sinh viên",
        "summary": "Học sinh, sinh viên đóng 4,5% mức lương cơ sở, được ngân sách hỗ trợ 30%.",
        "body": "Mức đóng BHYT của học sinh, sinh viên bằng 4,5% mức lương cơ sở mỗi tháng; người "
        "học đóng 70% mức này, phần còn lại được ngân sách nhà nước hỗ trợ.\n\n"
        "Với mức lương cơ sở 2.340.000 đồng/tháng (từ 01/07/2024), số tiền học sinh, sinh viên "
        "đóng là 73.710 đồng/tháng.\n\n"
        "Mức đóng có thể thay đổi khi mức lương cơ sở được điều chỉnh; vui lòng kiểm tra thông báo "
        "của nhà trường hoặc cơ quan BHXH.",
        "days_ago": 2,
    },
]


def help_content_load(apps) -> None:
    """Create the topics, FAQs and articles above that do not exist yet.

    ``apps`` is a migration's historical registry or ``django.apps.apps``;
    the folded search column is filled here because historical models do
    not run ``save()`` overrides.
    """
    from django.utils import timezone

    from vssid_portal.text import fold

    Topic = apps.get_model("support", "Topic")
    FAQ = apps.get_model("support", "FAQ")
    Article = apps.get_model("support", "Article")
    topics = {}
    for row in TOPICS:
        topics[row["slug"]], _created = Topic.objects.get_or_create(
            slug=row["slug"], defaults={"name": row["name"], "order": row["order"]}
        )
    for order, (_key, topic_slug, question, answer) in enumerate(FAQS, start=1):
        if not FAQ.objects.filter(question=question).exists():
            FAQ.objects.create(
                topic=topics[topic_slug],
                question=question,
                answer=answer,
                order=order,
                published=True,
                search_text=fold(f"{question} {answer}"),
            )
    now = timezone.now()
    for row in ARTICLES:
        Article.objects.get_or_create(
            slug=row["slug"],
            defaults={
                "kind": row["kind"],
                "title": row["title"],
                "summary": row["summary"],
                "body": row["body"],
                "published": True,
                "published_at": now - timedelta(days=row["days_ago"]),
            },
        )
